package ringtrain.driver.launch;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.SparkEnv;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.resource.ResourceInformation;
import org.apache.spark.util.Utils;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ringtrain.common.config.CommConfig;
import ringtrain.common.config.ConfigReader;
import ringtrain.common.config.JobConfig;
import ringtrain.common.config.key.CommKeys;
import ringtrain.common.config.key.ConfigKeys;
import ringtrain.common.error.UserFixable;
import ringtrain.common.metrics.MetricsSink;
import ringtrain.driver.data.ShardSpec;
import ringtrain.worker.comm.AeronRing;
import ringtrain.worker.comm.CommException;
import ringtrain.worker.comm.RingJob;
import ringtrain.worker.data.RankData;
import ringtrain.worker.data.TrainTest;
import ringtrain.worker.loop.TrainingLoop;
import ringtrain.worker.loop.TrainingPlan;
import ringtrain.worker.loop.TrainingResult;
import ringtrain.worker.snapshot.SnapshotStore;
import ringtrain.worker.snapshot.TrainingState;
import scala.collection.Iterator;
import scala.collection.JavaConverters;
import scala.runtime.AbstractFunction1;

/**
 * One barrier task = one rank (DESIGN.md §2.3): joins the ring over Aeron, agrees with the other
 * ranks through {@code allGather}, resumes from the newest snapshot when asked to (or when this is
 * a retried attempt of the training stage), runs {@link TrainingLoop}, and returns rank 0's result.
 * A class, not a lambda: executors cannot deserialize Java lambdas as Scala functions.
 */
final class RankTask extends AbstractFunction1<Iterator<Object>, Iterator<RankOutcome>>
    implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(RankTask.class);
  private static final int LOG_TAIL_LINES = 30;

  /** Value of {@code comm.aeron.bind_host} that means "the executor's own address". */
  static final String AUTO_HOST = "auto";

  private final String config;

  /** The whole data set (placement replicate), or null. */
  private final Broadcast<TrainTest> data;

  /** How to rebuild this rank's shards from its partition (placement shard), or null. */
  private final ShardSpec shards;

  private final long jobToken;
  private final String appId;
  private final String metricsHost;
  private final int metricsPort;
  private final String snapshotDir;
  private final boolean resume;
  private final int attempt;

  RankTask(
      String config,
      Broadcast<TrainTest> data,
      ShardSpec shards,
      long jobToken,
      String appId,
      String metricsHost,
      int metricsPort,
      String snapshotDir,
      boolean resume,
      int attempt) {
    this.config = config;
    this.data = data;
    this.shards = shards;
    this.jobToken = jobToken;
    this.appId = appId;
    this.metricsHost = metricsHost;
    this.metricsPort = metricsPort;
    this.snapshotDir = snapshotDir;
    this.resume = resume;
    this.attempt = attempt;
  }

  @Override
  public Iterator<RankOutcome> apply(Iterator<Object> partition) {
    BarrierTaskContext ctx = BarrierTaskContext.get();
    int rank = ctx.partitionId();
    String host = SparkEnv.get().blockManager().blockManagerId().host();
    try (LogTail tail = LogTail.install("ringtrain-rank-" + rank, LOG_TAIL_LINES)) {
      try {
        Optional<RankOutcome> outcome;
        try (RankData rankData = rankData(partition, rank, ctx.getTaskInfos().length)) {
          outcome = train(ctx, rank, attempt, host, rankData);
        }
        return JavaConverters.asScalaIterator(
            outcome.map(List::of).orElse(Collections.emptyList()).iterator());
      } catch (RuntimeException | Error e) {
        RankFailure failure = classify(e, rank, host, attempt, tail.lines());
        if (failure.kind() == RankFailure.Kind.USER) {
          LOG.info("rank {} stopped: {}", rank, failure.cause());
        } else {
          LOG.error("rank {} failed: {}", rank, failure.cause());
        }
        // Without the original exception as cause: whatever it holds, this one serializes.
        throw new RankFailedException(failure);
      }
    }
  }

  /**
   * The typed answer for what {@code e} means: a user mistake anywhere in its chain (however ND4J
   * or the ring wrapped it), i.e. a {@link UserFixable} such as a {@code UserException} or a ring
   * setting the user must change, is {@link RankFailure.Kind#USER}; anything else is an
   * infrastructure failure of this rank.
   */
  static RankFailure classify(
      Throwable e, int rank, String host, int attempt, List<String> logTail) {
    java.io.StringWriter trace = new java.io.StringWriter();
    e.printStackTrace(new java.io.PrintWriter(trace));
    for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
      if (t instanceof UserFixable user) {
        return new RankFailure(
            RankFailure.Kind.USER,
            rank,
            host,
            attempt,
            -1,
            user.getMessage(),
            logTail,
            trace.toString());
      }
    }
    // A CommException's message is written for the user; other types name themselves.
    String cause =
        e instanceof CommException || e.getMessage() == null
            ? String.valueOf(e.getMessage() == null ? e.toString() : e.getMessage())
            : e.getClass().getSimpleName() + ": " + e.getMessage();
    return new RankFailure(
        RankFailure.Kind.INFRASTRUCTURE, rank, host, attempt, -1, cause, logTail, trace.toString());
  }

  /**
   * This rank's data: cut from the broadcast set, or (placement shard) read from the partition the
   * barrier stage runs over.
   */
  private RankData rankData(Iterator<Object> partition, int rank, int world) {
    Path localDir = Path.of(Utils.getLocalDir(SparkEnv.get().conf()));
    if (shards == null) {
      return RankData.of(JobConfig.parse(config).data(), data.value(), rank, world, localDir);
    }
    long start = System.nanoTime();
    RankData shard = shards.read(JavaConverters.asJavaIterator(partition), rank, world, localDir);
    LOG.info(
        "rank {} holds {} training and {} test examples of its shard ({}), read in {} ms",
        rank,
        shard.train().size(),
        shard.test().size(),
        shard.train(),
        (System.nanoTime() - start) / 1_000_000);
    return shard;
  }

  private Optional<RankOutcome> train(
      BarrierTaskContext ctx, int rank, int attempt, String host, RankData dataset) {
    JobConfig job = JobConfig.parse(config);
    int world = job.train().worldSize();
    if (ctx.getTaskInfos().length != world) {
      throw new IllegalStateException(
          "the stage has " + ctx.getTaskInfos().length + " tasks for train.world_size = " + world);
    }
    bindGpu(ctx, rank);
    TrainingPlan plan = TrainingPlan.of(job, dataset.trainSize());

    Optional<TrainingState> state = Optional.empty();
    if (resume || attempt > 0) {
      state =
          SnapshotStore.open(snapshotDir, job.snapshot().keep(), job.snapshot().hadoop())
              .latestValid();
      LOG.info(
          "rank {} attempt {}: {}",
          rank,
          attempt,
          state
              .map(s -> "resuming from snapshot step " + s.step())
              .orElse("no snapshot, starting at step 0"));
    }

    CommConfig comm = commOf(job, host);
    RingJob ringJob = new RingJob(jobToken, attempt, rank, world);
    try (AeronRing ring = AeronRing.bind(comm, ringJob, appId + "-a" + attempt, 0)) {
      Rendezvous self =
          new Rendezvous(
              rank,
              host,
              ring.localEndpoint(),
              job.configHash(),
              jobToken,
              attempt,
              state.map(TrainingState::step).orElse(-1L));
      List<Rendezvous> all = new ArrayList<>();
      for (String message : ctx.allGather(self.encode())) {
        all.add(Rendezvous.decode(message));
      }
      Rendezvous.checkAgreement(self, all);
      if (comm.ipc()) {
        Rendezvous.checkOneHost(all);
      }
      ring.connect(all.stream().map(Rendezvous::endpoint).toList());
      LOG.info(
          "rank {} of {} joined the ring on {} (attempt {})",
          rank,
          world,
          self.endpoint(),
          attempt);

      TrainingResult result;
      SnapshotStore snapshots =
          rank == 0
              ? SnapshotStore.open(snapshotDir, job.snapshot().keep(), job.snapshot().hadoop())
              : null;
      try (MetricsSink sink =
          rank == 0
              ? MetricsStream.connect(metricsHost, metricsPort, Duration.ofSeconds(10))
              : MetricsSink.NONE) {
        result = new TrainingLoop(job, plan, dataset, ring, sink, snapshots).run(state);
      }
      // Nobody closes its media driver while a neighbour may still be receiving the last frames.
      ctx.barrier();
      if (rank != 0) {
        return Optional.empty();
      }
      return Optional.of(
          new RankOutcome(
              result.params().toFloatVector(),
              result.steps(),
              result.trainLoss(),
              result.eval(),
              result.wallS(),
              result.examplesPerS()));
    }
  }

  /**
   * The job's comm settings, with {@code comm.aeron.bind_host = auto} read as the address Spark
   * knows this executor by; every other key (comm.overlap included) as the job sets it.
   */
  static CommConfig commOf(JobConfig job, String executorHost) {
    if (!AUTO_HOST.equals(job.comm().bindHost())) {
      return job.comm();
    }
    Config withHost =
        ConfigKeys.with(
            ConfigFactory.parseString(job.rendered()), CommKeys.BIND_HOST.is(executorHost));
    return CommConfig.from(new ConfigReader(withHost));
  }

  /** GPU executors: the rank computes on the GPU Spark assigned to this task. */
  private static void bindGpu(BarrierTaskContext ctx, int rank) {
    ResourceInformation gpu = ctx.resourcesJMap().get("gpu");
    if (gpu == null || gpu.addresses().length == 0) {
      return;
    }
    int device = Integer.parseInt(gpu.addresses()[0].trim());
    LOG.info("rank {} uses GPU {}", rank, device);
    Nd4j.getAffinityManager().unsafeSetDevice(device);
  }
}
