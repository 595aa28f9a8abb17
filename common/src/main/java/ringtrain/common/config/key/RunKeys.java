package ringtrain.common.config.key;

import java.util.List;

/** The {@code run.*} keys: how the run is named and how often it reports. */
public final class RunKeys {
  private RunKeys() {}

  public static final ConfigKey<String> NAME =
      ConfigKey.of(
          "run.name",
          ValueType.STRING,
          "ringtrain",
          "Name of the run, shown in the plan, the Spark UI and summary.json.");

  public static final ConfigKey<Integer> LOG_EVERY =
      ConfigKey.of(
          "run.log_every",
          ValueType.INT,
          10,
          "One metrics line and metrics.jsonl record every this many optimizer steps.",
          Check.atLeast(1));

  /** Every {@code run.*} key. */
  public static final List<ConfigKey<?>> ALL = List.of(NAME, LOG_EVERY);
}
