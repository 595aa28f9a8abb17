package ringtrain.driver.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import ringtrain.driver.run.TrainRun;

/** {@code ringtrain train}: trains a model as the config describes. */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description = "Train a model. Config: conf/reference.conf ⊕ --conf FILE ⊕ --set overrides.")
public final class TrainCommand implements Callable<Integer> {

  @Option(
      names = "--conf",
      paramLabel = "FILE",
      description = "HOCON job file (keys as in conf/reference.conf).")
  Path conf;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description = "Override one config key; repeatable, later wins.")
  List<String> overrides = new ArrayList<>();

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description = "Run directory (default: runs/<run.name>).")
  Path out;

  @Option(
      names = "--resume",
      description = "Continue the run in --out from its newest valid snapshot.")
  boolean resume;

  @Option(names = "--verbose", description = "Show stack traces and debug logging.")
  boolean verbose;

  @Override
  public Integer call() {
    Verbosity.apply(verbose);
    TrainRun.Result result = new TrainRun(conf, overrides, out, resume).execute();
    System.out.println(result.headline());
    return Main.EXIT_OK;
  }
}
