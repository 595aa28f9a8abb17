package ringtrain.common.config.key;

import java.util.List;
import java.util.Objects;
import ringtrain.common.config.ConfigReader;
import ringtrain.common.error.ConfigException;

/**
 * One user-facing config key: its path, its type, its default, one line of documentation and the
 * checks its value must pass. Every key of {@code conf/reference.conf} has exactly one entry in
 * {@link ConfigKeys#ALL}, and a test holds the file to the list, so the default, the doc and the
 * validation of a key live in one place. Checks that relate several keys stay in the config record
 * that reads them.
 *
 * @param <T> the Java type of the value, in the key's own unit
 */
public final class ConfigKey<T> {
  private final String key;
  private final ValueType<T> type;
  private final T defaultValue;
  private final String doc;
  private final List<Check<? super T>> checks;

  private ConfigKey(
      String key, ValueType<T> type, T defaultValue, String doc, List<Check<? super T>> checks) {
    this.key = Objects.requireNonNull(key);
    this.type = Objects.requireNonNull(type);
    this.defaultValue = Objects.requireNonNull(defaultValue);
    this.doc = Objects.requireNonNull(doc);
    this.checks = List.copyOf(checks);
  }

  /** An entry whose value passes {@code checks} in order (the first that refuses it speaks). */
  @SafeVarargs
  public static <T> ConfigKey<T> of(
      String key, ValueType<T> type, T defaultValue, String doc, Check<? super T>... checks) {
    return new ConfigKey<>(key, type, defaultValue, doc, List.of(checks));
  }

  /** The dotted path, e.g. {@code comm.aeron.mtu}. */
  public String key() {
    return key;
  }

  public ValueType<T> type() {
    return type;
  }

  /** The default, as {@code conf/reference.conf} writes it. */
  public T defaultValue() {
    return defaultValue;
  }

  /** One line saying what the key does. */
  public String doc() {
    return doc;
  }

  /** Reads the key and checks its value. */
  public T read(ConfigReader r) {
    return check(type.read(r, key));
  }

  /**
   * Returns {@code value} when every check accepts it; otherwise throws the one line {@code key =
   * value <what is allowed>}.
   */
  public T check(T value) {
    for (Check<? super T> c : checks) {
      String problem = c.problem(value);
      if (problem != null) {
        throw new ConfigException(key + " = " + type.render(value) + " " + problem);
      }
    }
    return value;
  }

  /** This key set to {@code value} (checked when the config is read). */
  public Setting is(T value) {
    return new Setting(key, type.toConfig(Objects.requireNonNull(value)));
  }

  /** This key at its default. */
  Setting byDefault() {
    return is(defaultValue);
  }

  @Override
  public String toString() {
    return key + " = " + type.render(defaultValue);
  }
}
