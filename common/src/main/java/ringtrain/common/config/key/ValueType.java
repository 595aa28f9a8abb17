package ringtrain.common.config.key;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import ringtrain.common.config.ConfigReader;

/**
 * How the value of one config key is read, shown in a message and written back as a config value.
 * Reading goes through {@link ConfigReader}, so a missing key or a value of the wrong type is one
 * line naming the key and what would be accepted.
 *
 * @param <T> the Java type of the value, in the key's own unit (KiB for a {@code _kb} key)
 */
public interface ValueType<T> {

  /** Reads {@code key} from {@code r}; refuses a value of another type. */
  T read(ConfigReader r, String key);

  /** The value as an error message shows it after {@code key = }. */
  default String render(T value) {
    return String.valueOf(value);
  }

  /** The value as Typesafe Config takes it ({@code ConfigValueFactory.fromAnyRef}). */
  default Object toConfig(T value) {
    return value;
  }

  /** A string, as written. */
  ValueType<String> STRING = ConfigReader::string;

  /** true or false. */
  ValueType<Boolean> BOOLEAN = ConfigReader::bool;

  /** A whole number that fits an int. */
  ValueType<Integer> INT = ConfigReader::integer;

  /** A whole number that fits a long. */
  ValueType<Long> LONG = ConfigReader::longValue;

  /** A finite floating-point number. */
  ValueType<Double> NUMBER = ConfigReader::number;

  /** A list of integers such as {@code [256, 128]}. */
  ValueType<List<Integer>> INT_LIST = ConfigReader::integers;

  /** A list of strings such as {@code ["header=true"]}. */
  ValueType<List<String>> STRING_LIST = ConfigReader::strings;

  /** A duration such as {@code 60s} or {@code 500ms}. */
  ValueType<Duration> DURATION =
      new ValueType<>() {
        @Override
        public Duration read(ConfigReader r, String key) {
          return r.duration(key);
        }

        @Override
        public Object toConfig(Duration value) {
          if (value.toNanos() % 1_000_000_000L == 0) {
            return value.toSeconds() + "s";
          }
          return value.toNanos() % 1_000_000L == 0
              ? value.toMillis() + "ms"
              : value.toNanos() + "ns";
        }
      };

  /** A word, trimmed and read as lower case; {@link Check#oneOf} says which words. */
  ValueType<String> WORD =
      new ValueType<>() {
        @Override
        public String read(ConfigReader r, String key) {
          return r.string(key).trim().toLowerCase(Locale.ROOT);
        }

        @Override
        public String render(String value) {
          return "\"" + value + "\"";
        }
      };

  /** A constant of {@code type}, written as its lower-case name. */
  static <E extends Enum<E>> ValueType<E> enumOf(Class<E> type) {
    return new ValueType<>() {
      @Override
      public E read(ConfigReader r, String key) {
        return r.enumValue(key, type);
      }

      @Override
      public String render(E value) {
        return "\"" + value.name().toLowerCase(Locale.ROOT) + "\"";
      }

      @Override
      public Object toConfig(E value) {
        return value.name().toLowerCase(Locale.ROOT);
      }
    };
  }
}
