package ringtrain.common.config;

/**
 * The {@code snapshot.*} section: when and where training state is saved.
 *
 * @param dir snapshot directory (local or mounted; a file: URI is turned into its path), or empty
 *     for OUT/snapshots
 * @param every snapshot every this many optimizer steps (0 = off)
 * @param keep how many complete snapshots to keep
 * @param atStart also snapshot at step 0
 * @param atEnd snapshot after the last step
 * @param allowConfigChange let --resume continue from a snapshot of a different config
 */
public record SnapshotConfig(
    String dir, long every, int keep, boolean atStart, boolean atEnd, boolean allowConfigChange) {

  public static SnapshotConfig from(ConfigReader r) {
    return new SnapshotConfig(
        LocalPaths.check("snapshot.dir", r.string("snapshot.dir").trim()),
        r.atLeast("snapshot.every", 0L),
        r.atLeast("snapshot.keep", 1),
        r.bool("snapshot.at_start"),
        r.bool("snapshot.at_end"),
        r.bool("snapshot.allow_config_change"));
  }
}
