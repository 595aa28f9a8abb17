package ringtrain.driver.launch;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
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
import ringtrain.common.metrics.MetricsSink;
import ringtrain.worker.data.TrainTest;
import ringtrain.worker.loop.TrainingPlan;
import ringtrain.worker.loop.TrainingResult;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * Runs the N ranks as one Spark barrier stage (DESIGN.md §2.3): the driver broadcasts the dataset,
 * opens the live-metrics listener, submits {@link RankTask} on N partitions and turns rank 0's
 * result into a {@link TrainingResult}. The driver only launches, relays metrics and collects; the
 * ranks do the training.
 */
public final class SparkLauncher {
  private static final Logger LOG = LoggerFactory.getLogger(SparkLauncher.class);
  private static final int EXECUTOR_LOG_LINES = 20;

  /** What every JVM that runs Aeron and Spark needs on Java 17 (NOTES-spark.md). */
  private static final List<String> REQUIRED_JVM_FLAGS =
      List.of(
          "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED",
          "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-opens=java.base/java.nio=ALL-UNNAMED");

  private SparkLauncher() {}

  /**
   * Trains on the active SparkContext if there is one (spark-submit, a notebook), else on a new one
   * for {@code cluster}'s master, stopped at the end.
   */
  public static TrainingResult run(
      TrainingPlan plan,
      TrainTest data,
      MetricsSink sink,
      Path snapshotDir,
      boolean resume,
      ClusterConfig cluster) {
    JobConfig job = plan.job();
    Optional<SparkContext> active = activeContext();
    SparkContext sc = active.orElseGet(() -> createContext(cluster, job));
    try {
      return train(sc, plan, data, sink, snapshotDir, resume, cluster);
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
   * A SparkContext for ringtrain: Kryo with ringtrain's registrator and registration required,
   * stage retries from {@code cluster.max_attempts}, the Java 17 flags on the executors, and for
   * {@code local-cluster[...]} an embedded Spark home made of this JVM's classpath.
   */
  public static SparkContext createContext(ClusterConfig cluster, JobConfig job) {
    String master = cluster.effectiveMaster();
    SparkConf conf = new SparkConf(true);
    conf.setMaster(master);
    conf.setIfMissing("spark.app.name", "ringtrain " + job.run().name());
    conf.set("spark.serializer", "org.apache.spark.serializer.KryoSerializer");
    conf.set("spark.kryo.registrator", RingtrainKryoRegistrator.class.getName());
    conf.set("spark.kryo.registrationRequired", "true");
    conf.set("spark.task.maxFailures", Integer.toString(cluster.maxAttempts()));
    conf.set("spark.stage.maxConsecutiveAttempts", Integer.toString(cluster.maxAttempts()));
    // allGather and the final barrier: a missing rank must not hold the others for a year.
    long syncS = Math.max(60, 2 * job.comm().timeout().toSeconds() + 30);
    conf.setIfMissing("spark.barrier.sync.timeout", syncS + "s");
    conf.setIfMissing("spark.ui.showConsoleProgress", "false");
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

  private static TrainingResult train(
      SparkContext sc,
      TrainingPlan plan,
      TrainTest data,
      MetricsSink sink,
      Path snapshotDir,
      boolean resume,
      ClusterConfig cluster) {
    JobConfig job = plan.job();
    int world = job.train().worldSize();
    awaitExecutors(sc, world, cluster.registerTimeout());

    String jobGroup = "ringtrain-" + Long.toHexString(new SecureRandom().nextLong());
    StageFailures failures = new StageFailures(jobGroup);
    sc.addSparkListener(failures);
    Broadcast<TrainTest> shared = sc.broadcast(data, classTag(TrainTest.class));
    try (MetricsServer metrics = new MetricsServer(sink)) {
      RankTask task =
          new RankTask(
              job.rendered(),
              shared,
              new SecureRandom().nextLong(),
              sc.applicationId(),
              sc.getConf().get("spark.driver.host", "127.0.0.1"),
              metrics.port(),
              snapshotDir.toAbsolutePath().toString(),
              resume);
      sc.setJobGroup(jobGroup, "ringtrain " + job.run().name() + ": " + world + " ranks", true);
      List<Integer> ranks = IntStream.range(0, world).boxed().toList();
      RDD<RankOutcome> stage =
          new JavaSparkContext(sc)
              .parallelize(ranks, world)
              .rdd()
              .barrier()
              .mapPartitions(task, false, classTag(RankOutcome.class));
      RankOutcome[] outcomes;
      try {
        outcomes = (RankOutcome[]) stage.collect();
      } catch (Exception e) { // SparkException is checked, but Scala does not declare it
        throw explain(e, failures.await(Duration.ofSeconds(5)), cluster, sc);
      } finally {
        sc.clearJobGroup();
      }
      metrics.awaitDrained(Duration.ofSeconds(10));
      if (outcomes.length != 1) {
        throw new IllegalStateException(
            "the training stage returned " + outcomes.length + " results, expected rank 0's only");
      }
      RankOutcome r = outcomes[0];
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
      sc.removeSparkListener(failures);
      // Not destroy(): it blocks on every executor, and a lost one would hold the driver.
      shared.unpersist(false);
    }
  }

  /** Waits until at least {@code world} executors (one per rank) have registered. */
  static void awaitExecutors(SparkContext sc, int world, Duration timeout) {
    if (sc.isLocal()) {
      return;
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      // The driver is listed among the executors.
      int executors = sc.statusTracker().getExecutorInfos().length - 1;
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
      Exception e, StageFailures.Failure failure, ClusterConfig cluster, SparkContext sc) {
    for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
      if (t instanceof UserException user) {
        return new UserException(user.getMessage(), e);
      }
      if (t instanceof RankFailedException rank) {
        return rank;
      }
    }
    if (failure == null) {
      return e instanceof RuntimeException re
          ? re
          : new IllegalStateException("the training stage failed: " + e.getMessage(), e);
    }
    List<String> tail = List.of();
    if (cluster.localCluster().isPresent()) {
      tail = executorLogTail(sc, failure.executorId());
    }
    return new RankFailedException(
        failure.rank(), failure.host(), failure.attempt(), failure.reason(), tail, e);
  }

  /**
   * The last lines of an embedded executor's stderr. Spark 3.5's local-cluster gives each worker a
   * temporary work directory ({@code java.io.tmpdir/worker-*}) holding {@code APP/EXECUTOR/stderr}.
   */
  private static List<String> executorLogTail(SparkContext sc, String executorId) {
    Path log;
    try (var workers =
        Files.newDirectoryStream(Path.of(System.getProperty("java.io.tmpdir")), "worker-*")) {
      log = null;
      for (Path worker : workers) {
        Path candidate = worker.resolve(sc.applicationId()).resolve(executorId).resolve("stderr");
        if (Files.isRegularFile(candidate)) {
          log = candidate;
        }
      }
    } catch (IOException e) {
      return List.of();
    }
    if (log == null) {
      return List.of();
    }
    try {
      // Lenient decoding: a log cut by kill -9 may end inside a character.
      String text = new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
      List<String> lines = text.lines().toList();
      return new ArrayList<>(
          lines.subList(Math.max(0, lines.size() - EXECUTOR_LOG_LINES), lines.size()));
    } catch (IOException e) {
      LOG.debug("cannot read the log of executor {} at {}: {}", executorId, log, e.toString());
      return List.of();
    }
  }

  /**
   * The executor JVM flags: what the user configured, plus the
   * --add-opens/--add-exports/--add-modules this JVM runs with (the last brings the ring codec's
   * Vector API), plus the minimum Aeron needs.
   */
  static String executorJavaOptions(SparkConf conf) {
    Set<String> flags = new LinkedHashSet<>();
    String configured = conf.get("spark.executor.extraJavaOptions", "").trim();
    List<String> args = ManagementFactory.getRuntimeMXBean().getInputArguments();
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
