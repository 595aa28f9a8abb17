package ringtrain.common.config.key;

import java.util.List;

/** The {@code gns.*} keys: the gradient noise scale estimate. */
public final class GnsKeys {
  private GnsKeys() {}

  public static final ConfigKey<Double> EMA =
      ConfigKey.of(
          "gns.ema",
          ValueType.NUMBER,
          0.95,
          "Decay of the moving averages of |G|² and tr(Σ); 0 keeps only the current step.",
          Check.halfOpen(0, 1));

  /** Every {@code gns.*} key. */
  public static final List<ConfigKey<?>> ALL = List.of(EMA);
}
