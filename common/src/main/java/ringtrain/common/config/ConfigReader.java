package ringtrain.common.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException.BadValue;
import com.typesafe.config.ConfigException.Missing;
import com.typesafe.config.ConfigException.WrongType;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import ringtrain.common.error.ConfigException;

/**
 * Typed access to a resolved config: a missing key or a value of the wrong type becomes one {@link
 * ConfigException} line naming the key, the value found and what would be accepted. What a value
 * must satisfy beyond its type is the {@link ringtrain.common.config.key.Check} of its entry.
 */
public final class ConfigReader {
  private final Config config;

  public ConfigReader(Config config) {
    this.config = config;
  }

  public Config config() {
    return config;
  }

  public String string(String key) {
    return read(key, "a string", () -> config.getString(key));
  }

  public boolean bool(String key) {
    return read(key, "true or false", () -> config.getBoolean(key));
  }

  public int integer(String key) {
    requireWholeNumber(key);
    return read(key, "an integer", () -> config.getInt(key));
  }

  public long longValue(String key) {
    requireWholeNumber(key);
    return read(key, "an integer", () -> config.getLong(key));
  }

  /** Typesafe Config silently truncates 2.5 to 2 for an int; a count must be written whole. */
  private void requireWholeNumber(String key) {
    if (config.hasPath(key) && config.getValue(key).unwrapped() instanceof Number n) {
      double d = n.doubleValue();
      if (d != Math.rint(d)) {
        throw new ConfigException(key + " = " + n + " must be a whole number");
      }
    }
  }

  public double number(String key) {
    double value = read(key, "a number", () -> config.getDouble(key));
    if (!Double.isFinite(value)) {
      throw new ConfigException(
          key + " = " + value + " is not a finite number; set a finite value");
    }
    return value;
  }

  public Duration duration(String key) {
    return read(key, "a duration such as 60s or 500ms", () -> config.getDuration(key));
  }

  public List<Integer> integers(String key) {
    return read(key, "a list of integers such as [256, 128]", () -> config.getIntList(key));
  }

  public List<String> strings(String key) {
    return read(key, "a list of strings such as [\"a\", \"b\"]", () -> config.getStringList(key));
  }

  /** Reads a string that must be one of {@code allowed} (case-insensitive), returned lower-case. */
  private String oneOf(String key, String... allowed) {
    String value = string(key).trim().toLowerCase(Locale.ROOT);
    if (!Arrays.asList(allowed).contains(value)) {
      throw new ConfigException(
          key + " = \"" + value + "\" is not supported; use one of " + String.join(", ", allowed));
    }
    return value;
  }

  /** Reads an enum constant by its lower-case name. */
  public <E extends Enum<E>> E enumValue(String key, Class<E> type) {
    E[] constants = type.getEnumConstants();
    String[] names = new String[constants.length];
    for (int i = 0; i < constants.length; i++) {
      names[i] = constants[i].name().toLowerCase(Locale.ROOT);
    }
    String value = oneOf(key, names);
    return Enum.valueOf(type, value.toUpperCase(Locale.ROOT));
  }

  private <T> T read(String key, String expected, Supplier<T> getter) {
    try {
      return getter.get();
    } catch (Missing e) {
      throw new ConfigException(
          key + " is missing; set it in the job file or with --set " + key + "=...");
    } catch (WrongType | BadValue e) {
      String found =
          config.hasPathOrNull(key) && !config.getIsNull(key)
              ? config.getValue(key).render(com.typesafe.config.ConfigRenderOptions.concise())
              : "null";
      throw new ConfigException(key + " = " + found + " has the wrong type; expected " + expected);
    }
  }
}
