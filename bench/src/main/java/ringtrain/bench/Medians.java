package ringtrain.bench;

import java.util.Arrays;

/** The median, the statistic every benchmark here reports over its alternating rounds. */
public final class Medians {
  private Medians() {}

  /** Median of {@code values} (mean of the middle two for an even count). */
  public static double of(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }
}
