package ringtrain.common.config.key;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;

/**
 * One key with a value, made by {@link ConfigKey#is}: the typed way for programs and tests to build
 * a config without a job file (the value is checked, with the other keys, when a config record
 * reads it).
 *
 * @param key the dotted path
 * @param value the value as Typesafe Config takes it
 */
public record Setting(String key, Object value) {

  /** {@code config} with this key set. */
  public Config applyTo(Config config) {
    return config.withValue(key, ConfigValueFactory.fromAnyRef(value));
  }
}
