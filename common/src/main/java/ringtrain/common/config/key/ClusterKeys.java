package ringtrain.common.config.key;

import java.time.Duration;
import java.util.List;

/** The {@code cluster.*} keys: where the ranks run (read by the driver). */
public final class ClusterKeys {
  private ClusterKeys() {}

  public static final ConfigKey<String> MASTER =
      ConfigKey.of(
          "cluster.master",
          ValueType.STRING,
          "",
          "Spark master of the ranks; empty = threads of this JVM (spark-submit's master wins).");

  public static final ConfigKey<Duration> REGISTER_TIMEOUT =
      ConfigKey.of(
          "cluster.register_timeout",
          ValueType.DURATION,
          Duration.ofSeconds(120),
          "How long to wait for train.world_size executors before the training stage.",
          Check.that(d -> !d.isNegative() && !d.isZero(), "must be > 0"));

  public static final ConfigKey<Integer> MAX_ATTEMPTS =
      ConfigKey.of(
          "cluster.max_attempts",
          ValueType.INT,
          2,
          "Attempts of the training stage; a later one resumes from the newest snapshot.",
          Check.that(n -> n >= 1, "is too small; it must be >= 1 (1 = no retry)"));

  /** Every {@code cluster.*} key. */
  public static final List<ConfigKey<?>> ALL = List.of(MASTER, REGISTER_TIMEOUT, MAX_ATTEMPTS);
}
