package ringtrain.driver.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.spark.SparkContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import ringtrain.driver.cli.Main;
import ringtrain.driver.run.TrainRun;

/**
 * Failures on the ranks of a real embedded cluster ({@code local-cluster[2,1,1024]}) reach the user
 * typed: a mistake a rank finds is a user error (exit code 2, one line, no second attempt); a
 * neighbour that goes silent is named in one line within comm.timeout plus a few seconds.
 */
class RankFailureIT {
  private static final String CLUSTER = "local-cluster[2,1,1024]";
  private static final java.util.regex.Pattern STEP =
      java.util.regex.Pattern.compile("\"step\":(\\d+)");

  private static List<String> job(String name, int steps) {
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
            "train.world_size=2",
            "train.micro_batch=32",
            "train.steps=" + steps,
            "train.eval_every_epoch=false",
            "schedule.warmup_steps=2",
            "comm.timeout=10s"));
  }

  @AfterEach
  void stopSpark() {
    SparkLauncher.activeContext().ifPresent(SparkContext::stop);
  }

  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void shouldEndAtOnceWithExitCodeTwoWhenARankFindsAUserMistake(@TempDir Path tmp) {
    // An SGD snapshot resumed by AdamW: only the ranks, loading optimizer state, can tell.
    Path out = tmp.resolve("run");
    List<String> first = job("sgd", 4);
    first.addAll(List.of("optim.name=sgd", "snapshot.every=2"));
    new TrainRun(null, first, out, false).execute();

    List<String> args = new ArrayList<>(List.of("train", "--out", out.toString(), "--resume"));
    for (String kv : job("sgd", 8)) {
      args.add("--set=" + kv);
    }
    args.addAll(
        List.of(
            "--set=optim.name=adamw",
            "--set=snapshot.every=2",
            "--set=snapshot.allow_config_change=true",
            "--set=cluster.max_attempts=3",
            "--set=cluster.master=\"" + CLUSTER + "\""));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintWriter err = new PrintWriter(bytes, true, StandardCharsets.UTF_8);
    try (LogTail log = LogTail.install("rank-failure-it", 500)) {
      int code = Main.run(err, args.toArray(String[]::new));
      String stderr = bytes.toString(StandardCharsets.UTF_8);
      System.out.println("stderr: " + stderr);
      assertThat(code).as(stderr).isEqualTo(2);
      assertThat(stderr.strip().lines().count()).as(stderr).isEqualTo(1);
      assertThat(stderr)
          .matches("(?s)ringtrain: rank [01] on host \\S+: snapshot lacks optimizer state .*")
          .doesNotContain("Exception")
          .doesNotContain("internal error");
      assertThat(log.lines()).as("no second attempt").noneMatch(l -> l.contains("retrying"));
    }
  }

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  void shouldNameTheSilentNeighbourInOneLineWithinTheCommTimeout(@TempDir Path tmp)
      throws Exception {
    List<String> conf = job("silent", 1_000_000);
    conf.add("cluster.master=\"" + CLUSTER + "\"");
    conf.add("cluster.max_attempts=1");
    Path out = tmp.resolve("run");
    CompletableFuture<TrainRun.Result> run =
        CompletableFuture.supplyAsync(() -> new TrainRun(null, conf, out, false).execute());
    ProcessHandle stopped = null;
    try {
      awaitTrue(
          () ->
              run.isDone()
                  || Files.exists(out.resolve("metrics.jsonl"))
                      && size(out.resolve("metrics.jsonl")) > 0,
          Duration.ofSeconds(200));
      assertThat(run).as("training is under way").isNotDone();
      List<ProcessHandle> executors =
          ProcessHandle.current().descendants().filter(RankFailureIT::isExecutor).toList();
      assertThat(executors).hasSize(2);
      stopped = executors.get(1);
      long stoppedAt = System.nanoTime();
      signal(stopped, "STOP");

      Throwable failure = catchThrowable(() -> run.get(60, TimeUnit.SECONDS));
      double seconds = (System.nanoTime() - stoppedAt) / 1e9;
      System.out.printf("silent neighbour reported after %.1f s: %s%n", seconds, failure);
      assertThat(failure).hasCauseInstanceOf(RankFailedException.class);
      RankFailedException rank = (RankFailedException) failure.getCause();
      assertThat(rank.failure().kind()).isEqualTo(RankFailure.Kind.INFRASTRUCTURE);
      assertThat(rank.getMessage())
          .doesNotContain("\n")
          .doesNotContain("Exception")
          .contains("rank 1")
          .containsPattern("step \\d+");
      assertThat(rank.logTailBlock()).isNotEmpty();
      assertThat(seconds).as("within comm.timeout + 5 s").isLessThan(15.0);
    } finally {
      if (stopped != null) {
        signal(stopped, "CONT");
        stopped.destroyForcibly();
      }
    }
  }

  @Test
  @Timeout(value = 360, unit = TimeUnit.SECONDS)
  void shouldBeBackWhereItStoppedSoonAfterANeighbourGoesSilentWhenASecondAttemptIsAllowed(
      @TempDir Path tmp) throws Exception {
    List<String> conf = job("recovered", 600);
    conf.add("cluster.master=\"" + CLUSTER + "\"");
    conf.add("cluster.max_attempts=2");
    conf.add("snapshot.every=100");
    conf.add("run.log_every=10");
    Path out = tmp.resolve("run");
    Path metrics = out.resolve("metrics.jsonl");
    CompletableFuture<TrainRun.Result> run =
        CompletableFuture.supplyAsync(() -> new TrainRun(null, conf, out, false).execute());
    ProcessHandle stopped = null;
    try {
      awaitTrue(
          () ->
              run.isDone()
                  || Files.exists(out.resolve("snapshots/step-00000100/MANIFEST"))
                      && lastStep(metrics) >= 149,
          Duration.ofSeconds(200));
      assertThat(run).as("training is under way").isNotDone();
      List<ProcessHandle> executors =
          ProcessHandle.current().descendants().filter(RankFailureIT::isExecutor).toList();
      stopped = executors.get(1);
      signal(stopped, "STOP");
      long stoppedAt = System.nanoTime();
      // Lines rank 0 had sent before the stop may still be on their way to metrics.jsonl; with its
      // neighbour stopped it cannot finish another step.
      Thread.sleep(2000);
      long lastBefore = lastStep(metrics);
      assertThat(lastBefore).as("stopped before the end").isLessThan(590);

      // Back where it was: the resumed attempt logs a step past the last one logged before.
      awaitTrue(() -> lastStep(metrics) > lastBefore, Duration.ofSeconds(200));
      double back = (System.nanoTime() - stoppedAt) / 1e9;
      System.out.printf("back past step %d after %.1f s%n", lastBefore, back);
      TrainRun.Result result = run.get(200, TimeUnit.SECONDS);
      double done = (System.nanoTime() - stoppedAt) / 1e9;
      System.out.printf(
          "silent neighbour at step %d, comm.timeout 10 s: back past it after %.1f s, run done"
              + " after %.1f s (resumed from step %s)%n",
          lastBefore, back, done, result.summary().startSteps());
      assertThat(result.training().steps()).isEqualTo(600);
      assertThat(result.summary().startSteps()).hasSize(2);
      // comm.timeout + recomputing from the snapshot (<= 100 steps, ~10 s on a loaded host) + 30 s
      assertThat(back).isLessThan(10 + 10 + 30);
    } finally {
      if (stopped != null) {
        signal(stopped, "CONT");
        stopped.destroyForcibly();
      }
    }
  }

  /** The last step metrics.jsonl holds, or -1. */
  private static long lastStep(Path metrics) {
    long last = -1;
    try {
      for (String line : Files.readAllLines(metrics)) {
        java.util.regex.Matcher m = STEP.matcher(line);
        if (line.contains("\"type\":\"step\"") && m.find()) {
          last = Math.max(last, Long.parseLong(m.group(1)));
        }
      }
    } catch (java.io.IOException | java.io.UncheckedIOException e) {
      return last;
    }
    return last;
  }

  private static void signal(ProcessHandle p, String signal) throws Exception {
    new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid()))
        .inheritIO()
        .start()
        .waitFor(10, TimeUnit.SECONDS);
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (java.io.IOException e) {
      return 0;
    }
  }

  private static boolean isExecutor(ProcessHandle p) {
    try {
      return Files.readString(Path.of("/proc", Long.toString(p.pid()), "cmdline"))
          .contains("CoarseGrainedExecutorBackend");
    } catch (java.io.IOException e) {
      return false;
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
