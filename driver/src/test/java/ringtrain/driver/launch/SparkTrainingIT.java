package ringtrain.driver.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static ringtrain.driver.run.BitwiseParams.assertBitwiseEqual;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.spark.SparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import ringtrain.common.config.JobConfig;
import ringtrain.driver.config.ConfigLoader;
import ringtrain.driver.run.TrainRun;
import ringtrain.worker.model.NetworkFactory;

/**
 * The training stage on a real embedded Spark cluster ({@code local-cluster[2,1,1024]}: two
 * executor JVMs launched by Spark, ranks joined by the Aeron ring across the process boundary).
 */
class SparkTrainingIT {
  private static final String CLUSTER = "local-cluster[2,1,1024]";

  /** A small seeded problem in file order, no dropout: the batches are the same for any N. */
  private static List<String> job(String name, int world, int microBatch, int steps) {
    return new ArrayList<>(
        List.of(
            "run.name=" + name,
            "run.log_every=5",
            "data.format=synthetic",
            "data.shuffle=false",
            "data.synthetic.train_examples=1024",
            "data.synthetic.test_examples=256",
            "data.synthetic.features=32",
            "model.hidden=[32]",
            "model.dropout=0",
            "train.world_size=" + world,
            "train.micro_batch=" + microBatch,
            "train.steps=" + steps,
            "train.eval_every_epoch=false",
            "optim.lr=0.01",
            "optim.base_batch=64",
            "schedule.warmup_steps=5",
            "comm.timeout=20s"));
  }

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  void shouldReachTheParametersOfOneRankWithTwiceTheMicroBatchWhenTwoRanksTrainOnLocalCluster(
      @TempDir Path tmp) {
    List<String> one = job("one-rank", 1, 64, 20);
    TrainRun.Result reference = new TrainRun(null, one, tmp.resolve("one"), false).execute();

    List<String> two = job("two-ranks", 2, 32, 20);
    two.add("cluster.master=\"" + CLUSTER + "\"");
    TrainRun.Result distributed = new TrainRun(null, two, tmp.resolve("two"), false).execute();

    INDArray expected = reference.training().params();
    INDArray actual = distributed.training().params();
    assertThat(actual.length()).isEqualTo(expected.length());
    double maxDiff = actual.sub(expected).amaxNumber().doubleValue();
    double moved = actual.sub(initialParams(one)).amaxNumber().doubleValue();
    System.out.printf(
        "N=2 vs N=1: max |Δθ| = %.3g; training moved θ by up to %.3g%n", maxDiff, moved);
    // The two runs differ only in the order of float additions (two half-batch means averaged
    // over the ring vs one mean). Tolerance 1e-6 on every parameter after 20 AdamW steps
    // (measured: 9e-8), while training moved the parameters by up to 0.1.
    assertThat(maxDiff).isLessThan(1e-6);
    assertThat(moved).isGreaterThan(1e-2);
    assertThat(distributed.training().steps()).isEqualTo(20);
    assertThat(distributed.summary().worldSize()).isEqualTo(2);
    assertThat(distributed.training().eval().testAccuracy())
        .isCloseTo(
            reference.training().eval().testAccuracy(), org.assertj.core.data.Offset.offset(1e-9));
    // Rank 0 streamed its metrics to the driver while training: one line every 5 steps.
    assertThat(lines(distributed.runDirectory().resolve("metrics.jsonl")))
        .filteredOn(l -> l.contains("\"loss\""))
        .hasSize(4);
  }

  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void shouldFailNamingTheRankWhenAnExecutorIsKilled(@TempDir Path tmp) throws Exception {
    List<String> conf = job("killed", 2, 32, 1_000_000);
    conf.add("cluster.master=\"" + CLUSTER + "\"");
    conf.add("cluster.max_attempts=1");
    conf.add("comm.timeout=10s");
    Path out = tmp.resolve("run");
    CompletableFuture<TrainRun.Result> run =
        CompletableFuture.supplyAsync(() -> new TrainRun(null, conf, out, false).execute());

    // Training is under way once rank 0 has streamed its first metrics line.
    awaitTrue(
        () ->
            Files.exists(out.resolve("metrics.jsonl"))
                && !lines(out.resolve("metrics.jsonl")).isEmpty(),
        Duration.ofSeconds(120));
    try {
      List<ProcessHandle> executors =
          ProcessHandle.current().descendants().filter(SparkTrainingIT::isExecutor).toList();
      assertThat(executors).hasSize(2);
      long killedAt = System.nanoTime();
      executors.get(1).destroyForcibly();

      Throwable failure = catchThrowable(() -> run.get(90, TimeUnit.SECONDS));
      assertThat(failure).hasCauseInstanceOf(RankFailedException.class);
      System.out.println("error shown to the user:\n" + failure.getCause().getMessage());
      assertThat(failure.getCause())
          .hasMessageMatching(
              "(?s)rank [01] on host \\S+ failed \\(stage attempt 0\\): ExecutorLostFailure.*");
      assertThat(Duration.ofNanos(System.nanoTime() - killedAt)).isLessThan(Duration.ofSeconds(60));
    } finally {
      // Whatever happened above, the next test must not find this run's context still active.
      SparkLauncher.activeContext().ifPresent(SparkContext::stop);
    }
  }

  @Test
  @Timeout(value = 420, unit = TimeUnit.SECONDS)
  void shouldResumeFromTheLastSnapshotWhenAnExecutorIsKilledAndEndAsIfUninterrupted(
      @TempDir Path tmp) throws Exception {
    List<String> conf = job("retried", 2, 32, 2000);
    conf.add("cluster.master=\"" + CLUSTER + "\"");
    conf.add("cluster.max_attempts=2");
    conf.add("comm.timeout=10s");
    conf.add("snapshot.every=250");
    conf.add("run.log_every=50");
    INDArray uninterrupted =
        new TrainRun(null, conf, tmp.resolve("uninterrupted"), false).execute().training().params();

    Path out = tmp.resolve("killed");
    CompletableFuture<TrainRun.Result> run =
        CompletableFuture.supplyAsync(() -> new TrainRun(null, conf, out, false).execute());
    try {
      // Kill once the first snapshot after step 0 is complete and training has gone on past it.
      awaitTrue(
          () ->
              Files.exists(out.resolve("snapshots/step-00000250/MANIFEST"))
                  && lines(out.resolve("metrics.jsonl")).stream()
                      .anyMatch(l -> l.contains("\"step\":299,")),
          Duration.ofSeconds(180));
      List<ProcessHandle> executors =
          ProcessHandle.current().descendants().filter(SparkTrainingIT::isExecutor).toList();
      assertThat(executors).hasSize(2);
      executors.get(1).destroyForcibly();
      long lastLoggedBeforeKill = lastStep(lines(out.resolve("metrics.jsonl")));
      assertThat(lastLoggedBeforeKill).as("killed before the end").isLessThan(1999);

      TrainRun.Result result = run.get(300, TimeUnit.SECONDS);

      assertThat(result.training().steps()).isEqualTo(2000);
      assertBitwiseEqual(result.training().params(), uninterrupted);
      // The second attempt went on from a snapshot, not from step 0, and metrics.jsonl holds
      // every logged step once, in order, as if nothing had happened.
      List<Long> steps =
          lines(out.resolve("metrics.jsonl")).stream()
              .filter(l -> l.contains("\"type\":\"step\""))
              .map(SparkTrainingIT::step)
              .toList();
      assertThat(steps).isSorted().doesNotHaveDuplicates().hasSize(2000 / 50);
      List<Long> starts = result.summary().startSteps();
      assertThat(starts).hasSize(2);
      assertThat(starts.get(0)).isZero();
      assertThat(starts.get(1)).isPositive().isLessThan(2000L);
      assertThat(starts.get(1) % 250).isZero();
    } finally {
      SparkLauncher.activeContext().ifPresent(SparkContext::stop);
    }
  }

  private static long step(String metricsLine) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("\"step\":(\\d+)").matcher(metricsLine);
    assertThat(m.find()).as(metricsLine).isTrue();
    return Long.parseLong(m.group(1));
  }

  private static long lastStep(List<String> metricsLines) {
    return metricsLines.stream()
        .filter(l -> l.contains("\"type\":\"step\""))
        .mapToLong(SparkTrainingIT::step)
        .max()
        .orElse(-1);
  }

  private static boolean isExecutor(ProcessHandle p) {
    try {
      return Files.readString(Path.of("/proc", Long.toString(p.pid()), "cmdline"))
          .contains("CoarseGrainedExecutorBackend");
    } catch (java.io.IOException e) {
      return false;
    }
  }

  /** The parameters both runs start from (same seed, same network). */
  private static INDArray initialParams(List<String> conf) {
    JobConfig job = JobConfig.from(ConfigLoader.load(null, conf));
    return NetworkFactory.build(job.model(), new int[] {32}, 10, job.train().seed()).params();
  }

  private static List<String> lines(Path file) {
    try {
      return Files.readAllLines(file);
    } catch (java.io.IOException e) {
      return List.of();
    }
  }

  private static void awaitTrue(java.util.function.BooleanSupplier condition, Duration max)
      throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("condition not met within %s", max).isLessThan(deadline);
      Thread.sleep(100);
    }
  }
}
