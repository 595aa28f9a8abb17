package ringtrain.common.config.key;

import java.util.List;

/** The {@code snapshot.*} keys: when and where training state is saved. */
public final class SnapshotKeys {
  private SnapshotKeys() {}

  public static final ConfigKey<String> DIR =
      ConfigKey.of(
          "snapshot.dir",
          ValueType.STRING,
          "",
          "Where training state is written: a path or Hadoop URI; empty = OUT/snapshots.");

  public static final ConfigKey<List<String>> HADOOP =
      ConfigKey.of(
          "snapshot.hadoop",
          ValueType.STRING_LIST,
          List.of(),
          "Hadoop settings for a snapshot.dir URI, as \"key=value\" strings.");

  public static final ConfigKey<Long> EVERY =
      ConfigKey.of(
          "snapshot.every",
          ValueType.LONG,
          0L,
          "Snapshot every this many optimizer steps (0 = only the final one).",
          Check.atLeast(0));

  public static final ConfigKey<Integer> KEEP =
      ConfigKey.of(
          "snapshot.keep",
          ValueType.INT,
          3,
          "Keep the newest this many complete snapshots.",
          Check.atLeast(1));

  public static final ConfigKey<Boolean> AT_START =
      ConfigKey.of(
          "snapshot.at_start",
          ValueType.BOOLEAN,
          false,
          "Also snapshot at step 0, before the first update.");

  public static final ConfigKey<Boolean> AT_END =
      ConfigKey.of("snapshot.at_end", ValueType.BOOLEAN, true, "Snapshot after the last step.");

  public static final ConfigKey<Boolean> ALLOW_CONFIG_CHANGE =
      ConfigKey.of(
          "snapshot.allow_config_change",
          ValueType.BOOLEAN,
          false,
          "--resume continues from a snapshot of another config hash or world size.");

  /** Every {@code snapshot.*} key. */
  public static final List<ConfigKey<?>> ALL =
      List.of(DIR, HADOOP, EVERY, KEEP, AT_START, AT_END, ALLOW_CONFIG_CHANGE);
}
