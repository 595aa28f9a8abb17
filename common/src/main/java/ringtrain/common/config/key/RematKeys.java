package ringtrain.common.config.key;

import java.util.List;

/** The {@code remat.*} keys: activation recomputation. */
public final class RematKeys {
  private RematKeys() {}

  public static final ConfigKey<Integer> SEGMENTS =
      ConfigKey.of(
          "remat.segments",
          ValueType.INT,
          0,
          "Recomputation segments: 0 = off, -1 = √L, n = n segments.",
          Check.that(s -> s >= -1, "is not valid; use 0 (off), -1 (√L) or a positive count"));

  /** Every {@code remat.*} key. */
  public static final List<ConfigKey<?>> ALL = List.of(SEGMENTS);
}
