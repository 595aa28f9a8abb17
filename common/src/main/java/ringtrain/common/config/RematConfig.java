package ringtrain.common.config;

import ringtrain.common.error.ConfigException;

/**
 * The {@code remat.*} section: activation recomputation.
 *
 * @param segments 0 = off, -1 = √L segments, n &gt; 0 = n segments
 */
public record RematConfig(int segments) {

  public static RematConfig from(ConfigReader r) {
    int segments = r.integer("remat.segments");
    if (segments < -1) {
      throw new ConfigException(
          "remat.segments = "
              + segments
              + " is not valid; use 0 (off), -1 (√L) or a positive count");
    }
    return new RematConfig(segments);
  }

  public boolean enabled() {
    return segments != 0;
  }
}
