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
 * Typed, validating access to a resolved config. Every failure becomes one {@link ConfigException}
 * line naming the key, the value found and what would be accepted.
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
  public String oneOf(String key, String... allowed) {
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

  public int atLeast(String key, int min) {
    int value = integer(key);
    if (value < min) {
      throw new ConfigException(key + " = " + value + " is too small; it must be >= " + min);
    }
    return value;
  }

  public long atLeast(String key, long min) {
    long value = longValue(key);
    if (value < min) {
      throw new ConfigException(key + " = " + value + " is too small; it must be >= " + min);
    }
    return value;
  }

  public double atLeast(String key, double min) {
    double value = number(key);
    if (value < min) {
      throw new ConfigException(key + " = " + value + " is too small; it must be >= " + min);
    }
    return value;
  }

  /**
   * Reads a size written in KiB and returns it in bytes, refusing values below {@code minKib} or
   * above {@code maxKib} with a message naming the key: the bytes must fit the int the transport
   * takes, where {@code kib * 1024} would otherwise overflow.
   */
  public int kibibytes(String key, int minKib, int maxKib) {
    long kib = longValue(key);
    return Math.toIntExact(checkedKib(key, kib, minKib, maxKib) * 1024L);
  }

  /** The range check of {@link #kibibytes}, for values read elsewhere. */
  public static long checkedKib(String key, long kib, long minKib, long maxKib) {
    if (kib < minKib || kib > maxKib) {
      throw new ConfigException(
          key + " = " + kib + " is out of range; it must be >= " + minKib + " and <= " + maxKib);
    }
    return kib;
  }

  public double positive(String key) {
    double value = number(key);
    if (value <= 0) {
      throw new ConfigException(key + " = " + value + " must be > 0");
    }
    return value;
  }

  /** Reads a number in the half-open range {@code [low, high)}. */
  public double inRange(String key, double low, double high) {
    double value = number(key);
    if (value < low || value >= high) {
      throw new ConfigException(
          key + " = " + value + " is out of range; it must be >= " + low + " and < " + high);
    }
    return value;
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
