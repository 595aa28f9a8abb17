package ringtrain.driver.metrics;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import ringtrain.common.metrics.GnsMetrics;
import ringtrain.common.metrics.StepMetrics;

/**
 * What the gradient noise scale of a run says about its batch size. McCandlish et al. 2018: the
 * noise scale B_simple approximates the critical batch, below which doubling the batch nearly
 * halves the steps to a given loss and above which it buys little; a batch near B_simple balances
 * steps against examples.
 */
public final class GnsReport {
  private GnsReport() {}

  /** The last estimate with a finite B_simple, if the run had one. */
  public static Optional<GnsMetrics> last(List<StepMetrics> steps) {
    for (int i = steps.size() - 1; i >= 0; i--) {
      GnsMetrics g = steps.get(i).gns();
      if (g != null && Double.isFinite(g.bSimple())) {
        return Optional.of(g);
      }
    }
    return Optional.empty();
  }

  /** B_simple of the last estimate, NaN without one. */
  public static double bSimple(List<StepMetrics> steps) {
    return last(steps).map(GnsMetrics::bSimple).orElse(Double.NaN);
  }

  /** The power of two nearest to {@code value} in log scale (at least 1). */
  static long nearestPowerOfTwo(double value) {
    if (!(value >= 1)) {
      return 1;
    }
    long exponent = Math.round(Math.log(value) / Math.log(2));
    return 1L << Math.min(exponent, 62);
  }

  /** The line printed at the end of a run: B_simple and the batch it recommends. */
  public static String line(List<StepMetrics> steps, long globalBatch) {
    Optional<GnsMetrics> last = last(steps);
    if (last.isEmpty()) {
      return "gradient noise scale: not estimated (it needs global batch B > micro-batch b:"
          + " train.accumulation >= 2 or train.world_size >= 2)";
    }
    double b = last.get().bSimple();
    long recommended = nearestPowerOfTwo(b);
    String verdict =
        globalBatch < b / 2
            ? "this run's B = "
                + globalBatch
                + " is below it: a larger batch would need fewer steps"
            : globalBatch > 2 * b
                ? "this run's B = "
                    + globalBatch
                    + " is above it: more examples per step than the noise needs"
                : "this run's B = " + globalBatch + " is near it";
    return String.format(
        Locale.ROOT,
        "gradient noise scale B_simple = %.0f (moving average at the end of the run); recommended"
            + " global batch about %d (McCandlish et al. 2018); %s",
        b,
        recommended,
        verdict);
  }
}
