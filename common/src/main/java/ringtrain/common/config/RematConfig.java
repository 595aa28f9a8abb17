package ringtrain.common.config;

import ringtrain.common.config.key.RematKeys;

/**
 * The {@code remat.*} section: activation recomputation.
 *
 * @param segments 0 = off, -1 = √L segments, n &gt; 0 = n segments
 */
public record RematConfig(int segments) {

  public RematConfig {
    RematKeys.SEGMENTS.check(segments);
  }

  public static RematConfig from(ConfigReader r) {
    return new RematConfig(RematKeys.SEGMENTS.read(r));
  }

  public boolean enabled() {
    return segments != 0;
  }
}
