package ringtrain.driver.run;

import com.typesafe.config.Config;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ringtrain.common.config.ConfigReader;
import ringtrain.common.config.JobConfig;
import ringtrain.common.error.SnapshotException;
import ringtrain.common.error.UserException;
import ringtrain.common.metrics.MetricsSink;
import ringtrain.driver.config.ConfigLoader;
import ringtrain.driver.launch.ClusterConfig;
import ringtrain.driver.launch.LocalLauncher;
import ringtrain.driver.launch.SparkLauncher;
import ringtrain.driver.metrics.CompositeSink;
import ringtrain.driver.metrics.MetricsJsonl;
import ringtrain.driver.metrics.Plots;
import ringtrain.driver.metrics.ProgressSink;
import ringtrain.driver.metrics.StartSteps;
import ringtrain.driver.metrics.Summary;
import ringtrain.worker.data.DatasetLoader;
import ringtrain.worker.data.TrainTest;
import ringtrain.worker.loop.TrainingPlan;
import ringtrain.worker.loop.TrainingResult;
import ringtrain.worker.model.NetworkFactory;
import ringtrain.worker.snapshot.SnapshotStore;
import ringtrain.worker.snapshot.TrainingState;

/**
 * One {@code ringtrain train} invocation, end to end: config → data → plan → run directory →
 * training → model.zip, summary.json and plots. Everything the user can get wrong is checked before
 * the first file is written.
 */
public final class TrainRun {
  private static final Logger LOG = LoggerFactory.getLogger(TrainRun.class);

  private final Path jobFile;
  private final List<String> overrides;
  private final Path out;
  private final boolean resume;

  public TrainRun(Path jobFile, List<String> overrides, Path out, boolean resume) {
    this.jobFile = jobFile;
    this.overrides = List.copyOf(overrides);
    this.out = out;
    this.resume = resume;
  }

  /** What the run produced, and the line printed at its end. */
  public record Result(Path runDirectory, TrainingResult training, Summary summary) {
    public String headline() {
      return String.format(
          Locale.ROOT,
          "test accuracy %.4f (test loss %.4f) after %d steps in %.1f s; outputs in %s",
          training.eval().testAccuracy(),
          training.eval().testLoss(),
          training.steps(),
          summary.wallS(),
          runDirectory);
    }
  }

  public Result execute() {
    Config resolved = ConfigLoader.load(jobFile, overrides);
    JobConfig job = JobConfig.from(resolved);
    ClusterConfig cluster = ClusterConfig.from(new ConfigReader(resolved));
    boolean onSpark =
        !cluster.effectiveMaster().isEmpty() || SparkLauncher.activeContext().isPresent();
    TrainTest data =
        job.data().format() == ringtrain.common.config.DataConfig.Format.SPARK
            ? ringtrain.driver.data.SparkFrames.load(job.data())
            : DatasetLoader.load(job.data(), job.train().seed());
    TrainingPlan plan = TrainingPlan.of(job, data.train().size());

    Path root = out != null ? out : Paths.get("runs", job.run().name());
    // Opened before the run directory: a snapshot.dir URI that cannot be reached writes nothing.
    SnapshotStore configured =
        job.snapshot().dir().isEmpty()
            ? null
            : SnapshotStore.open(
                job.snapshot().dir(), job.snapshot().keep(), job.snapshot().hadoop());
    RunDirectory dir = RunDirectory.open(root, resume);
    SnapshotStore snapshots =
        configured != null ? configured : new SnapshotStore(dir.snapshots(), job.snapshot().keep());
    String snapshotDir = snapshots.location();
    Optional<TrainingState> state =
        resume ? Optional.of(resumeState(snapshots, snapshotDir, job)) : Optional.empty();

    String planText =
        PlanText.render(plan, snapshotDir.toString(), data.test().size())
            + String.format(
                Locale.ROOT, "  %-16s %s%n", "ranks run on", placement(cluster, onSpark));
    System.out.println("ringtrain plan:");
    System.out.print(planText);
    dir.writeText("config.conf", job.rendered());
    dir.writeText("plan.txt", planText);

    long startStep = state.map(TrainingState::step).orElse(0L);
    long wallStart = System.nanoTime();
    TrainingResult result;
    StartSteps starts = new StartSteps();
    try (MetricsSink sink =
        CompositeSink.of(
            starts,
            ProgressSink.forTerminal(plan.totalSteps(), startStep),
            resume
                ? MetricsJsonl.resume(dir.file("metrics.jsonl"), startStep)
                : MetricsJsonl.create(dir.file("metrics.jsonl")))) {
      result =
          onSpark
              ? SparkLauncher.run(plan, data, sink, snapshotDir, resume, cluster)
              : LocalLauncher.run(plan, data, sink, snapshots, state);
    }
    double wallS = (System.nanoTime() - wallStart) / 1e9;

    writeModel(job, data, result, dir.file("model.zip"));
    Summary summary =
        new Summary(
            job.run().name(),
            result.eval().testAccuracy(),
            result.eval().testLoss(),
            result.trainLoss(),
            result.steps(),
            job.train().worldSize(),
            plan.globalBatch(),
            plan.peakLr(),
            wallS,
            result.examplesPerS(),
            starts.steps());
    summary.write(dir.file("summary.json"));
    Plots.write(dir.file("metrics.jsonl"), dir.plots());
    return new Result(dir.root(), result, summary);
  }

  private static String placement(ClusterConfig cluster, boolean onSpark) {
    if (!onSpark) {
      return "this JVM (threads; set cluster.master for Spark)";
    }
    String master = cluster.effectiveMaster();
    return "Spark "
        + (master.isEmpty() ? "(active SparkContext)" : master)
        + ", one barrier task per rank";
  }

  private TrainingState resumeState(SnapshotStore snapshots, String snapshotDir, JobConfig job) {
    TrainingState state =
        snapshots
            .latestValid()
            .orElseThrow(
                () ->
                    new SnapshotException(
                        "--resume: no valid snapshot in "
                            + snapshotDir
                            + "; run without --resume (and another --out) to start afresh"));
    if (!job.snapshot().allowConfigChange()) {
      if (!state.configHash().equals(job.configHash())) {
        throw new SnapshotException(
            "--resume: snapshot step "
                + state.step()
                + " was written with a different config (hash "
                + abbreviate(state.configHash())
                + ", now "
                + abbreviate(job.configHash())
                + "); restore the original settings or --set snapshot.allow_config_change=true");
      }
      if (state.worldSize() != job.train().worldSize()) {
        throw new SnapshotException(
            "--resume: snapshot step "
                + state.step()
                + " was written by "
                + state.worldSize()
                + " ranks, this run has train.world_size = "
                + job.train().worldSize()
                + "; use the same world size or --set snapshot.allow_config_change=true");
      }
    }
    LOG.info("resuming from snapshot step {}", state.step());
    return state;
  }

  private static void writeModel(JobConfig job, TrainTest data, TrainingResult result, Path file) {
    MultiLayerNetwork net =
        NetworkFactory.build(
            job.model(), data.train().shape(), data.train().numClasses(), job.train().seed());
    net.params().assign(result.params().reshape(net.params().shape()));
    try {
      ModelSerializer.writeModel(net, file.toFile(), false);
    } catch (IOException e) {
      throw new UserException(
          "cannot write "
              + file
              + " ("
              + e.getMessage()
              + "); check the disk and permissions of --out");
    }
  }

  private static String abbreviate(String hash) {
    return hash.length() > 12 ? hash.substring(0, 12) : hash;
  }
}
