package ringtrain.common.config;

import ringtrain.common.config.key.GnsKeys;

/**
 * The {@code gns.*} section: the gradient noise scale estimate (McCandlish et al. 2018, App. A.1).
 *
 * @param ema decay β of the exponential moving averages of |G|² and tr(Σ), in [0, 1); 0 keeps only
 *     the current step
 */
public record GnsConfig(double ema) {

  public GnsConfig {
    GnsKeys.EMA.check(ema);
  }

  public static GnsConfig from(ConfigReader r) {
    return new GnsConfig(GnsKeys.EMA.read(r));
  }
}
