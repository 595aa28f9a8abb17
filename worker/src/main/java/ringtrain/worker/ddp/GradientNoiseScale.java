package ringtrain.worker.ddp;

import ringtrain.common.metrics.GnsMetrics;

/**
 * The simple gradient noise scale B_simple = tr(Σ)/|G|² of McCandlish et al. 2018 ("An Empirical
 * Model of Large-Batch Training"), estimated as their Appendix A.1 does from two batch sizes seen
 * in every step: the small batch b, whose squared gradient norm |G_b|² each rank measures before
 * the all-reduce, and the big batch B, the norm |G_B|² of the averaged gradient. Since E|G_x|² =
 * |G|² + tr(Σ)/x,
 *
 * <pre>
 *   |G|²  ≈ (B·|G_B|² − b·|G_b|²) / (B − b)
 *   tr(Σ) ≈ (|G_b|² − |G_B|²) / (1/b − 1/B)
 * </pre>
 *
 * are unbiased, but too noisy one step at a time; each goes into its own exponential moving average
 * (decay β), and the ratio of the averages is B_simple. The paper's ratio of averages, not an
 * average of ratios, since a single step's |G|² estimate can be zero or negative.
 *
 * <p>The averages are bias-corrected (divided by 1 − βᵗ, as Adam's moments); the correction cancels
 * in B_simple. Not thread-safe: one rank, one thread.
 */
public final class GradientNoiseScale {
  private final long small;
  private final long big;
  private final double beta;
  private double gradSqAverage;
  private double traceAverage;
  private double decayPower = 1;
  private GnsMetrics last;

  /**
   * @param smallBatch b, examples behind each |G_b|² (≥ 1)
   * @param bigBatch B, examples behind |G_B|² (&gt; b)
   * @param ema decay β of the moving averages, in [0, 1)
   */
  public GradientNoiseScale(long smallBatch, long bigBatch, double ema) {
    if (!defined(smallBatch, bigBatch)) {
      throw new IllegalArgumentException(
          "the noise scale needs 1 <= b < B, got b = " + smallBatch + ", B = " + bigBatch);
    }
    if (!(ema >= 0 && ema < 1)) {
      throw new IllegalArgumentException("ema " + ema + " must be in [0, 1)");
    }
    this.small = smallBatch;
    this.big = bigBatch;
    this.beta = ema;
  }

  /** Whether two batch sizes can estimate the noise scale: they must differ. */
  public static boolean defined(long smallBatch, long bigBatch) {
    return smallBatch >= 1 && bigBatch > smallBatch;
  }

  /**
   * Adds one step's squared norms (unscaled, before clipping) and returns the estimate after it. A
   * step with a non-finite norm (fp16 overflow) changes nothing and returns the previous estimate,
   * or null before the first finite step.
   *
   * @param smallSq |G_b|², mean over the step's small batches
   * @param bigSq |G_B|²
   */
  public GnsMetrics update(double smallSq, double bigSq) {
    if (!Double.isFinite(smallSq) || !Double.isFinite(bigSq)) {
      return last;
    }
    double b = small;
    double bb = big;
    double gradSq = (bb * bigSq - b * smallSq) / (bb - b);
    double trace = (smallSq - bigSq) / (1 / b - 1 / bb);
    gradSqAverage = beta * gradSqAverage + (1 - beta) * gradSq;
    traceAverage = beta * traceAverage + (1 - beta) * trace;
    decayPower *= beta;
    double correction = 1 - decayPower;
    double gradSqEma = gradSqAverage / correction;
    double traceEma = traceAverage / correction;
    double bSimple = gradSqEma > 0 ? traceEma / gradSqEma : Double.NaN;
    last = new GnsMetrics(small, big, smallSq, bigSq, gradSq, trace, gradSqEma, traceEma, bSimple);
    return last;
  }

  /** The estimate after the last finite step, or null before it. */
  public GnsMetrics current() {
    return last;
  }
}
