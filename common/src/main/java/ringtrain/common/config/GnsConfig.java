package ringtrain.common.config;

import ringtrain.common.error.ConfigException;

/**
 * The {@code gns.*} section: the gradient noise scale estimate (McCandlish et al. 2018, App. A.1).
 *
 * @param ema decay β of the exponential moving averages of |G|² and tr(Σ), in [0, 1); 0 keeps only
 *     the current step
 */
public record GnsConfig(double ema) {

  public GnsConfig {
    if (!(ema >= 0 && ema < 1)) {
      throw new ConfigException("gns.ema = " + ema + " is out of range; it must be >= 0 and < 1");
    }
  }

  public static GnsConfig from(ConfigReader r) {
    return new GnsConfig(r.number("gns.ema"));
  }
}
