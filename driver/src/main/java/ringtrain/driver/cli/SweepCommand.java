package ringtrain.driver.cli;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import ringtrain.common.error.UserException;
import ringtrain.driver.sweep.SweepGrid;
import ringtrain.driver.sweep.SweepPoint;
import ringtrain.driver.sweep.SweepRun;

/** {@code ringtrain sweep}: trains a grid of configurations on one cluster, resumably. */
@Command(
    name = "sweep",
    mixinStandardHelpOptions = true,
    description =
        "Train every point of a grid (--grid, the cartesian product) or list (--runs) over a base"
            + " config, each in OUT/points/NAME, on one cluster; a rerun skips finished points and"
            + " resumes an interrupted one. Writes sweep.csv, sweep.jsonl and plots/.")
public final class SweepCommand implements Callable<Integer> {

  @Option(names = "--conf", paramLabel = "FILE", description = "Base HOCON job file.")
  Path conf;

  @Option(
      names = "--grid",
      paramLabel = "KEY=V1,V2,...",
      description = "One axis of the grid; repeatable, the points are the cartesian product.")
  List<String> grid = new ArrayList<>();

  @Option(
      names = "--runs",
      paramLabel = "FILE",
      description = "One point per line: key=value settings separated by spaces.")
  Path runs;

  @Option(
      names = "--target-accuracy",
      paramLabel = "A",
      description = "Test accuracy in (0, 1] that steps/examples/time to target are measured at.")
  Double targetAccuracy;

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description = "Sweep directory (default: runs/sweep).")
  Path out;

  @Option(names = "--verbose", description = "Show stack traces and debug logging.")
  boolean verbose;

  @Override
  public Integer call() {
    if (grid.isEmpty() == (runs == null)) {
      throw new UserException(
          "give the points either with --grid KEY=V1,V2 (repeatable) or with --runs FILE, not "
              + (grid.isEmpty() ? "neither" : "both"));
    }
    double target = Double.NaN;
    if (targetAccuracy != null) {
      if (!(targetAccuracy > 0 && targetAccuracy <= 1)) {
        throw new UserException(
            "--target-accuracy " + targetAccuracy + " must be in (0, 1], e.g. 0.85");
      }
      target = targetAccuracy;
    }
    List<SweepPoint> points = runs != null ? SweepGrid.fromFile(runs) : SweepGrid.product(grid);
    Path dir = out != null ? out : Paths.get("runs", "sweep");
    new SweepRun(conf, points, dir, target, System.out).execute();
    System.out.println(
        "sweep done: " + dir.resolve("sweep.csv") + ", plots in " + dir.resolve("plots"));
    return Main.EXIT_OK;
  }
}
