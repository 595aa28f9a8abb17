package ringtrain.driver.metrics;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.function.LongSupplier;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import ringtrain.common.metrics.EvalMetrics;
import ringtrain.common.metrics.MetricsSink;
import ringtrain.common.metrics.StepMetrics;

/**
 * Shows training progress: steps done of total, ETA, loss, lr and examples/s. On a terminal it is a
 * live progress bar; without a console (CI, log files, spark-submit in cluster mode) it prints one
 * plain line every {@code everySteps} steps and at the last step, because a redrawn bar turns into
 * megabytes of carriage returns in a log.
 */
public final class ProgressSink implements MetricsSink {
  private final long totalSteps;
  private final long startStep;
  private final ProgressBar bar;
  private final PrintStream out;
  private final long everySteps;
  private final LongSupplier nanoClock;
  private final long startNanos;

  private ProgressSink(
      long totalSteps,
      long startStep,
      ProgressBar bar,
      PrintStream out,
      long everySteps,
      LongSupplier nanoClock) {
    this.totalSteps = totalSteps;
    this.startStep = startStep;
    this.bar = bar;
    this.out = out;
    this.everySteps = everySteps;
    this.nanoClock = nanoClock;
    this.startNanos = nanoClock.getAsLong();
  }

  /**
   * A bar when the JVM has a console, plain lines on stderr otherwise (about 100 lines per run).
   *
   * @param totalSteps optimizer steps of the whole run
   * @param startStep steps already done (the resume step), so the ETA counts only this session
   */
  public static ProgressSink forTerminal(long totalSteps, long startStep) {
    if (System.console() != null) {
      return bar(totalSteps, startStep);
    }
    return plain(
        totalSteps, startStep, System.err, Math.max(1, totalSteps / 100), System::nanoTime);
  }

  /** A live progress bar on the console. */
  public static ProgressSink bar(long totalSteps, long startStep) {
    ProgressBar bar =
        new ProgressBarBuilder()
            .setTaskName("train")
            .setInitialMax(totalSteps)
            .startsFrom(startStep, Duration.ZERO)
            .setUnit(" steps", 1)
            .setUpdateIntervalMillis(500)
            .build();
    return new ProgressSink(totalSteps, startStep, bar, System.err, 1, System::nanoTime);
  }

  /** Plain log lines to {@code out} every {@code everySteps} steps, timed by {@code nanoClock}. */
  public static ProgressSink plain(
      long totalSteps, long startStep, PrintStream out, long everySteps, LongSupplier nanoClock) {
    if (everySteps < 1) {
      throw new IllegalArgumentException("everySteps must be >= 1, got " + everySteps);
    }
    return new ProgressSink(totalSteps, startStep, null, out, everySteps, nanoClock);
  }

  /** A retried attempt that resumes from a snapshot takes the bar back to the snapshot's step. */
  @Override
  public void onStart(long firstStep) {
    if (bar != null) {
      bar.stepTo(firstStep);
    }
  }

  @Override
  public void onStep(StepMetrics m) {
    long done = m.step() + 1;
    if (bar != null) {
      bar.stepTo(done);
      bar.setExtraMessage(
          String.format(
              Locale.ROOT, "loss %.4f lr %.2e %.0f ex/s", m.loss(), m.lr(), m.examplesPerS()));
    } else if (done % everySteps == 0 || done == totalSteps) {
      out.println(
          String.format(
              Locale.ROOT,
              "step %d/%d (%.1f%%) epoch %d loss %.4f lr %.3e examples/s %.0f eta %s",
              done,
              totalSteps,
              100.0 * done / totalSteps,
              m.epoch(),
              m.loss(),
              m.lr(),
              m.examplesPerS(),
              eta(done)));
    }
  }

  @Override
  public void onEval(EvalMetrics m) {
    String line =
        String.format(
            Locale.ROOT,
            "eval step %d epoch %d test_loss %.4f test_accuracy %.4f",
            m.step() + 1,
            m.epoch(),
            m.testLoss(),
            m.testAccuracy());
    if (bar != null) {
      // Printed on its own line below the bar, which redraws on the next update.
      out.println();
    }
    out.println(line);
  }

  @Override
  public void close() {
    if (bar != null) {
      bar.close();
    }
  }

  /** Remaining time at the rate of this session, as H:MM:SS; "?" before any time has passed. */
  private String eta(long done) {
    long doneHere = done - startStep;
    long elapsed = nanoClock.getAsLong() - startNanos;
    if (doneHere <= 0 || elapsed <= 0) {
      return "?";
    }
    long remainingSeconds =
        Math.round((double) elapsed * (totalSteps - done) / doneHere / 1_000_000_000.0);
    return String.format(
        Locale.ROOT,
        "%d:%02d:%02d",
        remainingSeconds / 3600,
        remainingSeconds / 60 % 60,
        remainingSeconds % 60);
  }
}
