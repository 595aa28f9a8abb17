package ringtrain.common.config.key;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The one list of user-facing config keys, section by section in the order of {@code
 * conf/reference.conf}. A test parses that file and fails when a key is in one and not the other,
 * or when their defaults differ.
 */
public final class ConfigKeys {
  private ConfigKeys() {}

  /** Every key ringtrain reads. */
  public static final List<ConfigKey<?>> ALL =
      Stream.of(
              RunKeys.ALL,
              DataKeys.ALL,
              ModelKeys.ALL,
              TrainKeys.ALL,
              OptimKeys.ALL,
              ScheduleKeys.ALL,
              GnsKeys.ALL,
              PrecisionKeys.ALL,
              RematKeys.ALL,
              CommKeys.ALL,
              SnapshotKeys.ALL,
              ClusterKeys.ALL)
          .flatMap(List::stream)
          .toList();

  /** The entry of {@code key}, if it is one. */
  public static Optional<ConfigKey<?>> find(String key) {
    return ALL.stream().filter(k -> k.key().equals(key)).findFirst();
  }

  /** Every key at its default: the config of a program that runs without a job file. */
  public static Config defaults() {
    Config config = ConfigFactory.empty();
    for (ConfigKey<?> key : ALL) {
      config = key.byDefault().applyTo(config);
    }
    return config;
  }

  /** {@code settings} over the defaults of every other key (later settings win). */
  public static Config defaultsWith(Setting... settings) {
    return with(defaults(), settings);
  }

  /** {@code settings} over {@code base} (later settings win). */
  public static Config with(Config base, Setting... settings) {
    Config config = base;
    for (Setting s : settings) {
      config = s.applyTo(config);
    }
    return config;
  }
}
