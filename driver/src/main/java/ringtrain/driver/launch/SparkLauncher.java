package ringtrain.driver.launch;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.SparkContext$;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.rdd.RDD;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ringtrain.common.config.JobConfig;
import ringtrain.common.error.UserException;
import ringtrain.common.error.UserFixable;
import ringtrain.common.metrics.MetricsSink;
import ringtrain.driver.data.ShardSpec;
import ringtrain.driver.data.ShardedFrames;
import ringtrain.worker.data.TrainTest;
import ringtrain.worker.loop.TrainingPlan;
import ringtrain.worker.loop.TrainingResult;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * Runs the N ranks as one Spark barrier stage (DESIGN.md §2.3): the driver broadcasts the dataset
 * (placement replicate) or runs the stage over the N partitions of the sharded data (placement
 * shard, {@link ShardedFrames}), opens the live-metrics listener, submits {@link RankTask} and
 * turns rank 0's result into a {@link TrainingResult}. The driver only launches, relays metrics and
 * collects; the ranks do the training.
 */
public final class SparkLauncher {
  private static final Logger LOG = LoggerFactory.getLogger(SparkLauncher.class);

  /** A heartbeat deadline below this would declare busy executors of a loaded host lost. */
  private static final Duration MIN_HEARTBEAT_TIMEOUT = Duration.ofSeconds(5);

  /** Least time between the ring's deadline and Spark declaring a silent executor lost. */
  private static final Duration MIN_HEARTBEAT_MARGIN = Duration.ofSeconds(3);

  /**
   * What every executor JVM needs on Java 17 (NOTES-spark.md): Aeron's opens and exports, and the
   * Vector API for the ring codec's SIMD kernels. The launcher leaves the last out of the driver's
   * own JVM, which does not run the ring, so the executors get it here.
   */
  private static final List<String> REQUIRED_JVM_FLAGS =
      List.of(
          "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
          "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-opens=java.base/java.nio=ALL-UNNAMED",
          "--add-modules=jdk.incubator.vector");

  private SparkLauncher() {}

  /**
   * {@link #run(TrainingPlan, TrainTest, MetricsSink, String, boolean, ClusterConfig)} on a local
   * directory.
   */
  public static TrainingResult run(
      TrainingPlan plan,
      TrainTest data,
      MetricsSink sink,
      Path snapshotDir,
      boolean resume,
      ClusterConfig cluster) {
    return run(plan, data, sink, snapshotDir.toAbsolutePath().toString(), resume, cluster);
  }

  /**
   * Trains on the active SparkContext if there is one (spark-submit, a notebook), else on a new one
   * for {@code cluster}'s master, stopped at the end. {@code snapshotDir} is a local path or a
   * Hadoop URI that every executor reaches.
   */
  public static TrainingResult run(
      TrainingPlan plan,
      TrainTest data,
      MetricsSink sink,
      String snapshotDir,
      boolean resume,
      ClusterConfig cluster) {
    return run(plan, new Input(data, null), sink, snapshotDir, resume, cluster);
  }

  /**
   * Placement shard: trains on the active SparkContext (the one {@code shards} was built on), the
   * barrier stage running over {@code shards}' N partitions.
   */
  public static TrainingResult run(
      TrainingPlan plan,
      ShardedFrames.Shards shards,
      MetricsSink sink,
      String snapshotDir,
      boolean resume,
      ClusterConfig cluster) {
    return run(plan, new Input(null, shards), sink, snapshotDir, resume, cluster);
  }

  /** The data of a run: the whole set to broadcast, or the sharded RDD. */
  private record Input(TrainTest data, ShardedFrames.Shards shards) {}

  private static TrainingResult run(
      TrainingPlan plan,
      Input input,
      MetricsSink sink,
      String snapshotDir,
      boolean resume,
      ClusterConfig cluster) {
    JobConfig job = plan.job();
    Optional<SparkContext> active = activeContext();
    SparkContext sc = active.orElseGet(() -> createContext(cluster, job));
    try {
      return train(sc, plan, input, sink, snapshotDir, resume, cluster);
    } finally {
      if (active.isEmpty()) {
        sc.stop();
      }
    }
  }

  /** The SparkContext already running in this JVM, if any. */
  public static Optional<SparkContext> activeContext() {
    scala.Option<SparkContext> active = SparkContext$.MODULE$.getActive();
    return active.isDefined() ? Optional.of(active.get()) : Optional.empty();
  }

  /**
   * A SparkContext for ringtrain: Kryo with ringtrain's registrator and registration required, no
   * retries of Spark's own (ringtrain retries the training stage itself), the Java 17 flags on the
   * executors, and for {@code local-cluster[...]} an embedded Spark home made of this JVM's
   * classpath.
   */
  public static SparkContext createContext(ClusterConfig cluster, JobConfig job) {
    String master = cluster.effectiveMaster();
    SparkConf conf = new SparkConf(true);
    conf.setMaster(master);
    conf.setIfMissing("spark.app.name", "ringtrain " + job.run().name());
    conf.set("spark.serializer", "org.apache.spark.serializer.KryoSerializer");
    conf.set("spark.kryo.registrator", RingtrainKryoRegistrator.class.getName());
    // A Spark source is read by Spark SQL in this context, and its tasks return schemas, file
    // listings and statistics through Kryo: classes no registrator can list in full. ringtrain's
    // own
    // records (the shuffled examples, the outcome) are registered either way.
    conf.set(
        "spark.kryo.registrationRequired",
        Boolean.toString(job.data().format() != ringtrain.common.config.DataConfig.Format.SPARK));
    // Spark never retries a failed barrier result stage ("Could not recover from a failed barrier
    // ResultStage"), so cluster.max_attempts is counted by trainOnce's caller, which submits a new
    // stage that resumes from the newest snapshot.
    conf.set("spark.task.maxFailures", "1");
    // allGather and the final barrier: a missing rank must not hold the others for a year.
    long syncS = Math.max(60, 2 * job.comm().timeout().toSeconds() + 30);
    conf.setIfMissing("spark.barrier.sync.timeout", syncS + "s");
    conf.setIfMissing("spark.ui.showConsoleProgress", "false");
    heartbeatDeadlines(conf, job.comm().timeout());
    conf.set("spark.executor.extraJavaOptions", executorJavaOptions(conf));

    cluster
        .localCluster()
        .ifPresent(
            shape -> {
              EmbeddedSparkHome home = EmbeddedSparkHome.create();
              System.setProperty("spark.testing", "true");
              System.setProperty("spark.test.home", home.home().toString());
              if (!home.classDirectories().isEmpty()) {
                conf.set("spark.executor.extraClassPath", home.classDirectories());
              }
              // One OpenMP thread per executor core: the executors share the host.
              conf.setIfMissing(
                  "spark.executorEnv.OMP_NUM_THREADS", Integer.toString(shape.cores()));
              if (System.getenv("SPARK_LOCAL_IP") == null) {
                conf.setIfMissing("spark.driver.host", "127.0.0.1");
                conf.setIfMissing("spark.driver.bindAddress", "127.0.0.1");
              }
            });
    LOG.info("starting Spark on {}", master);
    return new SparkContext(conf);
  }

  /**
   * comm.timeout governs recovery as well as detection: an executor that stops answering (a stopped
   * or partitioned JVM) is declared lost after comm.timeout and a margin, not after Spark's default
   * of 120 s, so the retried stage gets a fresh executor in time. The margin (half of comm.timeout,
   * at least {@link #MIN_HEARTBEAT_MARGIN}) lets the ring's own deadline fire first: its error
   * names the silent rank and the step, where Spark's would only say the executor was lost. Spark
   * counts its deadline from the executor's last heartbeat, which may come up to one heartbeat
   * interval before the executor stops, so the deadline is comm.timeout + margin + one interval:
   * the margin holds however the stop falls between two beats. The executors beat four times per
   * comm.timeout + margin; Spark's RPC timeouts (spark.network.timeout) stay as they are.
   */
  static void heartbeatDeadlines(SparkConf conf, Duration commTimeout) {
    long margin = Math.max(MIN_HEARTBEAT_MARGIN.toMillis(), commTimeout.toMillis() / 2);
    long silent = Math.max(MIN_HEARTBEAT_TIMEOUT.toMillis(), commTimeout.toMillis() + margin);
    long interval = Math.max(500, silent / 4);
    conf.setIfMissing("spark.storage.blockManagerHeartbeatTimeoutMs", (silent + interval) + "ms");
    conf.setIfMissing("spark.executor.heartbeatInterval", interval + "ms");
    conf.setIfMissing("spark.network.timeoutInterval", interval + "ms");
  }

  /**
   * Runs the training stage; when a rank fails (its executor killed, a neighbour gone silent) and
   * {@code cluster.max_attempts} allows, submits it again: every rank of the new attempt resumes
   * from the newest valid snapshot, or from step 0 if there is none.
   */
  private static TrainingResult train(
      SparkContext sc,
      TrainingPlan plan,
      Input input,
      MetricsSink sink,
      String snapshotDir,
      boolean resume,
      ClusterConfig cluster) {
    JobConfig job = plan.job();
    int world = job.train().worldSize();
    awaitExecutors(sc, world, cluster.registerTimeout());
    long jobToken = new SecureRandom().nextLong();
    Broadcast<TrainTest> shared =
        input.data() == null ? null : sc.broadcast(input.data(), classTag(TrainTest.class));
    ShardSpec spec = input.shards() == null ? null : input.shards().spec(job.data());
    LastStep lastStep = new LastStep(sink);
    try (MetricsServer metrics = new MetricsServer(lastStep)) {
      RankOutcome r;
      for (int attempt = 0; ; attempt++) {
        RankTask task =
            new RankTask(
                job.rendered(),
                shared,
                spec,
                jobToken,
                sc.applicationId(),
                sc.getConf().get("spark.driver.host", "127.0.0.1"),
                metrics.port(),
                snapshotDir,
                resume,
                attempt);
        try {
          r = trainOnce(sc, job, stageInput(sc, input, world), task, attempt, cluster, lastStep);
          break;
        } catch (RankFailedException failed) {
          RankFailure failure = failed.failure();
          if (!failure.retryable()) {
            // A mistake on a rank: every attempt would make it again.
            throw new UserException(failure.line());
          }
          if (attempt + 1 >= cluster.maxAttempts()) {
            throw failed;
          }
          LOG.warn(
              "{}; retrying: stage attempt {} (cluster.max_attempts = {}) resumes from the newest"
                  + " snapshot in {}",
              failure.line(),
              attempt + 1,
              cluster.maxAttempts(),
              snapshotDir);
          // The failed attempt's rank 0 may still be sending its last metrics lines.
          metrics.awaitDrained(Duration.ofSeconds(10));
          awaitExecutors(sc, world, cluster.registerTimeout());
        }
      }
      metrics.awaitDrained(Duration.ofSeconds(10));
      return new TrainingResult(
          Nd4j.createFromArray(r.params()),
          r.steps(),
          r.trainLoss(),
          r.eval(),
          r.wallS(),
          r.examplesPerS());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while collecting metrics", e);
    } finally {
      // Not destroy(): it blocks on every executor, and a lost one would hold the driver.
      if (shared != null) {
        shared.unpersist(false);
      }
    }
  }

  /**
   * What the barrier stage runs over: the N partitions of the sharded data, or N empty ones when
   * every rank reads the broadcast set.
   */
  @SuppressWarnings("unchecked")
  private static RDD<Object> stageInput(SparkContext sc, Input input, int world) {
    if (input.shards() != null) {
      return (RDD<Object>) (RDD<?>) input.shards().rdd().rdd();
    }
    List<Integer> ranks = IntStream.range(0, world).boxed().toList();
    return (RDD<Object>) (RDD<?>) new JavaSparkContext(sc).parallelize(ranks, world).rdd();
  }

  /** One attempt of the training stage: a barrier stage of one task per rank; rank 0's outcome. */
  private static RankOutcome trainOnce(
      SparkContext sc,
      JobConfig job,
      RDD<Object> ranks,
      RankTask task,
      int attempt,
      ClusterConfig cluster,
      LastStep lastStep)
      throws InterruptedException {
    int world = job.train().worldSize();
    String jobGroup = "ringtrain-" + Long.toHexString(new SecureRandom().nextLong());
    StageFailures failures = new StageFailures(jobGroup);
    sc.addSparkListener(failures);
    try {
      sc.setJobGroup(
          jobGroup,
          "ringtrain " + job.run().name() + ": " + world + " ranks, attempt " + attempt,
          true);
      RDD<RankOutcome> stage =
          ranks.barrier().mapPartitions(task, false, classTag(RankOutcome.class));
      RankOutcome[] outcomes;
      try {
        outcomes = (RankOutcome[]) stage.collect();
      } catch (Exception e) { // SparkException is checked, but Scala does not declare it
        throw explain(
            e, failures.await(Duration.ofSeconds(5)), attempt, cluster, sc, lastStep.step());
      } finally {
        sc.clearJobGroup();
      }
      if (outcomes.length != 1) {
        throw new IllegalStateException(
            "the training stage returned " + outcomes.length + " results, expected rank 0's only");
      }
      return outcomes[0];
    } finally {
      sc.removeSparkListener(failures);
    }
  }

  /**
   * Waits until at least {@code world} executors (one per rank) have registered; a user error
   * naming the count and the fix after {@code timeout}.
   */
  public static void awaitExecutors(SparkContext sc, int world, Duration timeout) {
    if (sc.isLocal()) {
      return;
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (sc.isStopped()) {
        throw new UserException(
            "the Spark master "
                + sc.master()
                + " ended the application before "
                + world
                + " executors registered; check that the master and its workers run (its web UI"
                + " on port 8080) and fix cluster.master");
      }
      // The driver is listed among the executors.
      int executors = Math.max(0, sc.statusTracker().getExecutorInfos().length - 1);
      if (executors >= world) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new UserException(
            "only "
                + executors
                + " Spark executors registered within "
                + timeout.toSeconds()
                + " s, train.world_size = "
                + world
                + " needs one per rank; start more workers, lower train.world_size or raise cluster.register_timeout");
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for executors", e);
      }
    }
  }

  /**
   * The error the user sees for a failed stage: a user mistake found by a rank stays a user error;
   * a rank that failed names itself; a rank that vanished (killed executor) is named from the
   * scheduler's record, with the end of its executor log where it can be read.
   */
  private static RuntimeException explain(
      Exception e,
      StageFailures.Failure failure,
      int attempt,
      ClusterConfig cluster,
      SparkContext sc,
      long lastStep) {
    for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
      if (t instanceof RankFailedException rank) {
        return new RankFailedException(rank.failure().atStep(lastStep));
      }
      if (t instanceof UserFixable user) {
        return new UserException(user.getMessage(), e);
      }
    }
    if (failure != null && failure.reported() != null) {
      return new RankFailedException(failure.reported().atStep(lastStep));
    }
    if (failure == null) {
      return e instanceof RuntimeException re
          ? re
          : new IllegalStateException("the training stage failed: " + e.getMessage(), e);
    }
    List<String> tail = List.of();
    if (cluster.localCluster().isPresent()) {
      tail = ExecutorLog.tail(sc.applicationId(), failure.executorId());
    }
    return new RankFailedException(
        new RankFailure(
            RankFailure.Kind.LOST,
            failure.rank(),
            failure.host(),
            attempt,
            lastStep,
            failure.reason(),
            tail,
            ""));
  }

  /**
   * The executor JVM flags: what the user configured, plus the
   * --add-opens/--add-exports/--add-modules this JVM runs with (the last brings the ring codec's
   * Vector API), plus the minimum Aeron needs.
   */
  static String executorJavaOptions(SparkConf conf) {
    return executorJavaOptions(conf, ManagementFactory.getRuntimeMXBean().getInputArguments());
  }

  /** {@link #executorJavaOptions(SparkConf)} for a driver JVM started with {@code args}. */
  static String executorJavaOptions(SparkConf conf, List<String> args) {
    Set<String> flags = new LinkedHashSet<>();
    String configured = conf.get("spark.executor.extraJavaOptions", "").trim();
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (a.startsWith("--add-opens=")
          || a.startsWith("--add-exports=")
          || a.startsWith("--add-modules=")) {
        flags.add(a);
      } else if ((a.equals("--add-opens") || a.equals("--add-exports") || a.equals("--add-modules"))
          && i + 1 < args.size()) {
        flags.add(a + "=" + args.get(++i));
      }
    }
    flags.addAll(REQUIRED_JVM_FLAGS);
    StringBuilder options = new StringBuilder(configured);
    for (String flag : flags) {
      if (!configured.contains(flag)) {
        options.append(options.length() == 0 ? "" : " ").append(flag);
      }
    }
    return options.toString();
  }

  private static <T> ClassTag<T> classTag(Class<T> type) {
    return ClassTag$.MODULE$.apply(type);
  }
}
