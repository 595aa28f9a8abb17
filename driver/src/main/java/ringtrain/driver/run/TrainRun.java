package ringtrain.driver.run;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.spark.SparkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ringtrain.common.config.ConfigReader;
import ringtrain.common.config.JobConfig;
import ringtrain.common.config.ModelConfig;
import ringtrain.common.error.SnapshotException;
import ringtrain.common.error.UserException;
import ringtrain.common.error.UserFixable;
import ringtrain.common.metrics.MetricsSink;
import ringtrain.driver.config.ConfigLoader;
import ringtrain.driver.config.Preflight;
import ringtrain.driver.data.ShardedFrames;
import ringtrain.driver.data.SparkFrames;
import ringtrain.driver.launch.ClusterConfig;
import ringtrain.driver.launch.LocalLauncher;
import ringtrain.driver.launch.SparkLauncher;
import ringtrain.driver.metrics.CompositeSink;
import ringtrain.driver.metrics.GnsReport;
import ringtrain.driver.metrics.MetricsJsonl;
import ringtrain.driver.metrics.MetricsLog;
import ringtrain.driver.metrics.Plots;
import ringtrain.driver.metrics.ProgressSink;
import ringtrain.driver.metrics.StartSteps;
import ringtrain.driver.metrics.Summary;
import ringtrain.worker.data.DatasetLoader;
import ringtrain.worker.data.TrainTest;
import ringtrain.worker.loop.EngineSelector;
import ringtrain.worker.loop.TrainingLoop;
import ringtrain.worker.loop.TrainingPlan;
import ringtrain.worker.loop.TrainingResult;
import ringtrain.worker.model.Models;
import ringtrain.worker.model.NetworkSource;
import ringtrain.worker.model.TrainableModel;
import ringtrain.worker.snapshot.SnapshotStore;
import ringtrain.worker.snapshot.TrainingState;

/**
 * One {@code ringtrain train} invocation, end to end: config → data → plan → run directory →
 * training → model.zip, summary.json and plots. Everything the user can get wrong is checked before
 * the first file is written.
 */
public final class TrainRun {
  private static final Logger LOG = LoggerFactory.getLogger(TrainRun.class);

  /** The default snapshot folder inside the run directory (as {@link RunDirectory#snapshots}). */
  private static final String SNAPSHOTS = "snapshots";

  private final Path jobFile;
  private final List<String> overrides;
  private final Path out;
  private final boolean resume;

  /** DataFrames handed in through the Java API for {@code data.format = spark}, or null. */
  private final ringtrain.driver.data.SparkFrames.Frames frames;

  public TrainRun(Path jobFile, List<String> overrides, Path out, boolean resume) {
    this(jobFile, overrides, out, resume, null);
  }

  /**
   * A run whose {@code data.format = spark} data are {@code frames} instead of what {@code
   * data.path} and {@code data.test_path} name (the Java API).
   */
  public TrainRun(
      Path jobFile,
      List<String> overrides,
      Path out,
      boolean resume,
      ringtrain.driver.data.SparkFrames.Frames frames) {
    this.jobFile = jobFile;
    this.overrides = List.copyOf(overrides);
    this.out = out;
    this.resume = resume;
    this.frames = frames;
  }

  /**
   * What the run produced, and the lines printed at its end.
   *
   * @param noiseScale the gradient noise scale's verdict on the batch size ({@link GnsReport})
   */
  public record Result(
      Path runDirectory, TrainingResult training, Summary summary, String noiseScale) {
    public String headline() {
      return String.format(
          Locale.ROOT,
          "test accuracy %.4f (test loss %.4f) after %d steps in %.1f s; outputs in %s%n%s",
          training.eval().testAccuracy(),
          training.eval().testLoss(),
          training.steps(),
          summary.wallS(),
          runDirectory,
          noiseScale);
    }
  }

  /** The run directory while this run holds it. */
  private RunDirectory dir;

  /** The SparkContext this run started for {@code cluster.master}, stopped at its end; or null. */
  private SparkContext ownContext;

  private void discardUnstarted(RuntimeException failure) {
    try {
      dir.discardUnstarted();
    } catch (java.io.IOException e) {
      failure.addSuppressed(e);
    }
  }

  /** Runs; the run directory's lock is held from its creation to the end of the run. */
  public Result execute() {
    try {
      return run();
    } finally {
      if (ownContext != null) {
        ownContext.stop();
      }
      if (dir != null) {
        dir.close();
      }
    }
  }

  private Result run() {
    Config resolved = ConfigLoader.load(jobFile, overrides);
    JobConfig job = JobConfig.from(resolved);
    ClusterConfig cluster = ClusterConfig.from(new ConfigReader(resolved));
    boolean onSpark =
        !cluster.effectiveMaster().isEmpty() || SparkLauncher.activeContext().isPresent();
    if (!(onSpark && job.data().shards(true))) {
      return run(resolved, job, cluster, onSpark, null);
    }
    // Placement shard: the data is read on the cluster that trains, so the context comes first.
    ShardedFrames.checkConfig(job.data());
    Preflight.checkWithoutData(job, cluster);
    if (SparkLauncher.activeContext().isEmpty()) {
      ownContext = SparkLauncher.createContext(cluster, job);
    }
    JobConfig j = job;
    int world = j.train().worldSize();
    ShardedFrames.Shards shards =
        frames != null
            ? ShardedFrames.prepare(
                frames.train(),
                frames.trainSource(),
                frames.test(),
                frames.testSource(),
                j.data(),
                world)
            : SparkFrames.withSession(spark -> ShardedFrames.prepare(spark, j.data(), world));
    return run(resolved, job, cluster, true, shards);
  }

  /**
   * @param shards the sharded data (placement shard on Spark), or null to read the whole set here
   */
  private Result run(
      Config resolved,
      JobConfig job,
      ClusterConfig cluster,
      boolean onSpark,
      ShardedFrames.Shards shards) {
    TrainTest data =
        shards != null
            ? shards.probe()
            : job.data().format() == ringtrain.common.config.DataConfig.Format.SPARK
                ? (frames != null
                    ? ringtrain.driver.data.SparkFrames.load(job.data(), frames)
                    : ringtrain.driver.data.SparkFrames.load(job.data()))
                : DatasetLoader.load(job.data(), job.train().seed());
    int trainSize = shards != null ? shards.trainSize() : data.train().size();
    int testSize = shards != null ? shards.testSize() : data.test().size();

    Path root = out != null ? out : Paths.get("runs", job.run().name());
    // Opened before the run directory: a snapshot.dir URI that cannot be reached writes nothing.
    SnapshotStore configured =
        job.snapshot().dir().isEmpty()
            ? null
            : SnapshotStore.open(
                job.snapshot().dir(), job.snapshot().keep(), job.snapshot().hadoop());
    dir = resume ? RunDirectory.open(root, true) : null;
    SnapshotStore snapshots =
        configured != null
            ? configured
            : new SnapshotStore(root.resolve(SNAPSHOTS), job.snapshot().keep());
    String snapshotDir = snapshots.location();
    Optional<TrainingState> state =
        resume ? Optional.of(latestState(snapshots, snapshotDir)) : Optional.empty();
    job = withNetwork(resolved, job, data, state);
    TrainingPlan plan = TrainingPlan.of(job, trainSize);
    Preflight.check(resolved, job, cluster, data, plan);
    TrainableModel model =
        Models.build(
            job.model(), data.train().shape(), data.train().numClasses(), job.train().seed());
    EngineSelector.check(job, model);
    if (onSpark) {
      // Too few executors, or a master that never admits the application, is found before the
      // run directory exists (within cluster.register_timeout), so the corrected command works.
      Optional<SparkContext> active = SparkLauncher.activeContext();
      if (active.isEmpty()) {
        ownContext = SparkLauncher.createContext(cluster, job);
      }
      SparkContext sc = active.orElse(ownContext);
      SparkLauncher.awaitExecutors(sc, job.train().worldSize(), cluster.registerTimeout());
    }
    if (state.isPresent()) {
      checkResumable(state.get(), job);
    } else {
      dir = RunDirectory.open(root, false);
    }

    String planText =
        PlanText.render(plan, snapshotDir.toString(), testSize, model)
            + String.format(
                Locale.ROOT, "  %-16s %s%n", "ranks run on", placement(cluster, onSpark))
            + String.format(
                Locale.ROOT,
                "  %-16s %s%n",
                "data placement",
                dataPlacement(plan, trainSize, shards != null));
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
          shards != null
              ? SparkLauncher.run(plan, shards, sink, snapshotDir, resume, cluster)
              : onSpark
                  ? SparkLauncher.run(plan, data, sink, snapshotDir, resume, cluster)
                  : LocalLauncher.run(plan, data, sink, snapshots, state);
    } catch (RuntimeException e) {
      if (e instanceof UserFixable && state.isEmpty()) {
        // A rank found the mistake (an unusable comm.aeron.dir, ...): leave --out as the
        // driver's own refusals leave it, so nothing but the corrected command is needed.
        discardUnstarted(e);
      }
      throw e;
    }
    double wallS = (System.nanoTime() - wallStart) / 1e9;

    writeModel(model, result, dir.file("model.zip"));
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
    MetricsLog log = MetricsJsonl.read(dir.file("metrics.jsonl"));
    summary = summary.withBSimple(GnsReport.bSimple(log.steps()));
    summary.write(dir.file("summary.json"));
    Plots.write(log, dir.plots());
    return new Result(dir.root(), result, summary, GnsReport.line(log.steps(), plan.globalBatch()));
  }

  /** Where the examples are and how many each epoch leaves out. */
  private static String dataPlacement(TrainingPlan plan, int trainSize, boolean onSparkShards) {
    int world = plan.job().train().worldSize();
    long dropped = trainSize - plan.stepsPerEpoch() * plan.globalBatch();
    boolean shard =
        onSparkShards
            || plan.job().data().placement() == ringtrain.common.config.DataConfig.Placement.SHARD;
    if (!shard) {
      return "replicate: every rank reads every example; each epoch drops "
          + dropped
          + " of "
          + trainSize;
    }
    int small = trainSize / world;
    int large = (trainSize + world - 1) / world;
    long perRank = plan.stepsPerEpoch() * plan.globalBatch() / world;
    return String.format(
        Locale.ROOT,
        "shard: %d shards of %s training examples (example i on rank i mod %d); each epoch drops"
            + " %d of %d (%s per rank)",
        world,
        small == large ? Integer.toString(small) : small + "–" + large,
        world,
        dropped,
        trainSize,
        small == large
            ? Long.toString(small - perRank)
            : (small - perRank) + "–" + (large - perRank));
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

  /**
   * For {@code model.type = dl4j}: the config with {@code model.network} set to the network's JSON
   * — the snapshot's on a resume (so the model file need not exist any more), else the one resolved
   * from {@code model.file} or {@code model.zoo}. It then ships to the ranks and enters the hash.
   */
  private static JobConfig withNetwork(
      Config resolved, JobConfig job, TrainTest data, Optional<TrainingState> state) {
    if (job.model().type() != ModelConfig.Type.DL4J) {
      return job;
    }
    String json =
        state
            .map(s -> s.extra().get(TrainingLoop.NETWORK_JSON))
            .filter(j -> j != null && !j.isEmpty())
            .orElseGet(
                () ->
                    NetworkSource.json(
                        job.model(),
                        data.train().shape(),
                        data.train().numClasses(),
                        job.train().seed()));
    return JobConfig.from(resolved.withValue("model.network", ConfigValueFactory.fromAnyRef(json)));
  }

  private static TrainingState latestState(SnapshotStore snapshots, String snapshotDir) {
    return snapshots
        .latestValid()
        .orElseThrow(
            () ->
                new SnapshotException(
                    "--resume: no valid snapshot in "
                        + snapshotDir
                        + "; run without --resume (and another --out) to start afresh"));
  }

  private static void checkResumable(TrainingState state, JobConfig job) {
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
  }

  private static void writeModel(TrainableModel model, TrainingResult result, Path file) {
    model.params().assign(result.params().reshape(model.params().shape()));
    try {
      model.save(file);
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
