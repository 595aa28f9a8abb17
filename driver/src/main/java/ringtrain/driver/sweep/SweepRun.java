package ringtrain.driver.sweep;

import com.typesafe.config.Config;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.spark.SparkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ringtrain.common.config.ConfigReader;
import ringtrain.common.config.DataConfig;
import ringtrain.common.config.JobConfig;
import ringtrain.common.error.ConfigException;
import ringtrain.common.error.UserException;
import ringtrain.driver.config.ConfigLoader;
import ringtrain.driver.launch.ClusterConfig;
import ringtrain.driver.launch.SparkLauncher;
import ringtrain.driver.run.TrainRun;
import ringtrain.worker.data.DatasetLoader;
import ringtrain.worker.loop.TrainingPlan;
import ringtrain.worker.snapshot.SnapshotStore;

/**
 * One {@code ringtrain sweep}: every point trained in turn, each in its own run directory {@code
 * OUT/points/NAME}, all on one cluster: one SparkContext, created before the first point when the
 * base config names a master and stopped after the last (or the active one, left running).
 *
 * <p>Resumable: a point whose run directory holds summary.json is done and skipped; one that holds
 * a run but no summary was interrupted and continues from its newest valid snapshot (train
 * --resume), or, without a snapshot, starts again. Every point is validated, with its data size,
 * before the first one trains.
 */
public final class SweepRun {
  private static final Logger LOG = LoggerFactory.getLogger(SweepRun.class);

  private final Path baseConf;
  private final List<SweepPoint> points;
  private final Path out;
  private final double target;
  private final PrintStream console;

  /**
   * @param target test accuracy the steps/examples/time to target are measured at; NaN for none
   */
  public SweepRun(
      Path baseConf, List<SweepPoint> points, Path out, double target, PrintStream console) {
    this.baseConf = baseConf;
    this.points = List.copyOf(points);
    this.out = out;
    this.target = target;
    this.console = console;
  }

  /** The finished points, in grid order. */
  public List<SweepRow> execute() {
    if (points.isEmpty()) {
      throw new UserException("the sweep has no point; give --grid key=v1,v2 or --runs FILE");
    }
    Map<SweepPoint, List<String>> overrides = validate();
    Path pointsDir = out.resolve("points");
    createDirectories(pointsDir);
    console.printf("ringtrain sweep: %d points in %s%n", points.size(), out);

    Config base = ConfigLoader.load(baseConf, overrides.get(points.get(0)));
    ClusterConfig cluster = ClusterConfig.from(new ConfigReader(base));
    SparkContext created = null;
    if (!cluster.effectiveMaster().isEmpty() && SparkLauncher.activeContext().isEmpty()) {
      created = SparkLauncher.createContext(cluster, JobConfig.from(base));
    }
    List<SweepRow> rows = new ArrayList<>();
    try {
      for (SweepPoint point : points) {
        Path dir = pointsDir.resolve(point.name());
        if (Files.exists(dir.resolve("summary.json"))) {
          console.printf("point %s: done, skipped%n", point.label());
        } else {
          boolean resume = prepare(dir);
          console.printf(
              "point %s: %s%n", point.label(), resume ? "resuming from its snapshot" : "training");
          TrainRun.Result result =
              new TrainRun(baseConf, overrides.get(point), dir, resume).execute();
          console.println(result.headline());
        }
        rows.add(SweepRow.read(point, dir, target));
        SweepReport.write(out, rows, target);
        console.print(SweepReport.table(rows, points.size()));
      }
    } finally {
      if (created != null) {
        created.stop();
      }
    }
    SweepPlots.write(rows, out.resolve("plots"), target);
    return rows;
  }

  /**
   * Checks every point's config and plan (batch against data size, warmup against run length)
   * before anything trains; returns each point's overrides.
   */
  private Map<SweepPoint, List<String>> validate() {
    Map<SweepPoint, List<String>> overrides = new HashMap<>();
    Map<DataConfig, Integer> trainSizes = new HashMap<>();
    for (SweepPoint point : points) {
      for (String setting : point.settings()) {
        String key = SweepPoint.key(setting);
        if (key.startsWith("cluster.") || key.equals("snapshot.dir")) {
          throw new ConfigException(
              "sweep point "
                  + point.label()
                  + " sets "
                  + key
                  + "; every point runs on the sweep's one cluster and keeps its snapshots in its"
                  + " own run directory, so set cluster.* in the base config and leave snapshot.dir"
                  + " out");
        }
      }
      List<String> sets = new ArrayList<>(point.settings());
      sets.add("run.name=\"" + point.name() + "\"");
      Config resolved = ConfigLoader.load(baseConf, sets);
      JobConfig job = JobConfig.from(resolved);
      if (!job.snapshot().dir().isEmpty()) {
        throw new ConfigException(
            "snapshot.dir = "
                + job.snapshot().dir()
                + " would be shared by every sweep point; leave it empty so that each point keeps"
                + " its snapshots in its own run directory");
      }
      int size =
          trainSizes.computeIfAbsent(
              job.data(), d -> DatasetLoader.load(d, job.train().seed()).train().size());
      TrainingPlan.of(job, size);
      overrides.put(point, sets);
    }
    return overrides;
  }

  /**
   * Readies a point's directory: true when an interrupted run there can resume from a snapshot; an
   * interrupted run without one is removed so the point starts again.
   */
  private static boolean prepare(Path dir) {
    if (!Files.exists(dir.resolve("config.conf"))) {
      return false;
    }
    Optional<?> snapshot = new SnapshotStore(dir.resolve("snapshots"), 1).latestValid();
    if (snapshot.isPresent()) {
      return true;
    }
    LOG.info("{} holds an interrupted run without a snapshot; starting it again", dir);
    deleteTree(dir);
    return false;
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove the interrupted run " + dir, e);
    }
  }

  private static void createDirectories(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UserException(
          "cannot create " + dir + " (" + e.getMessage() + "); choose a writable --out directory");
    }
  }
}
