package ringtrain.common.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import ringtrain.common.config.key.SnapshotKeys;
import ringtrain.common.error.ConfigException;

/**
 * The {@code snapshot.*} section: when and where training state is saved.
 *
 * @param dir snapshot directory: a local path (a file: URI is turned into its path) or a Hadoop URI
 *     ({@code hdfs://...}, {@code s3a://...}), or empty for OUT/snapshots
 * @param every snapshot every this many optimizer steps (0 = off)
 * @param keep how many complete snapshots to keep
 * @param atStart also snapshot at step 0
 * @param atEnd snapshot after the last step
 * @param allowConfigChange let --resume continue from a snapshot of a different config
 * @param hadoop Hadoop settings for a {@code dir} URI, on top of core-site.xml ({@code
 *     snapshot.hadoop = ["fs.s3a.endpoint=http://...", ...]})
 */
public record SnapshotConfig(
    String dir,
    long every,
    int keep,
    boolean atStart,
    boolean atEnd,
    boolean allowConfigChange,
    Map<String, String> hadoop) {

  public SnapshotConfig {
    hadoop = Collections.unmodifiableMap(new LinkedHashMap<>(hadoop));
  }

  public static SnapshotConfig from(ConfigReader r) {
    return new SnapshotConfig(
        LocalPaths.localOrHadoop(SnapshotKeys.DIR.key(), SnapshotKeys.DIR.read(r).trim()),
        SnapshotKeys.EVERY.read(r),
        SnapshotKeys.KEEP.read(r),
        SnapshotKeys.AT_START.read(r),
        SnapshotKeys.AT_END.read(r),
        SnapshotKeys.ALLOW_CONFIG_CHANGE.read(r),
        settings(r));
  }

  private static Map<String, String> settings(ConfigReader r) {
    Map<String, String> out = new LinkedHashMap<>();
    // A config rendered before the key existed has no list; it means no settings.
    if (!r.config().hasPath(SnapshotKeys.HADOOP.key())) {
      return out;
    }
    for (String entry : SnapshotKeys.HADOOP.read(r)) {
      int eq = entry.indexOf('=');
      if (eq <= 0) {
        throw new ConfigException(
            "snapshot.hadoop entry \""
                + entry
                + "\" is not key=value; write each Hadoop setting as \"fs.s3a.endpoint=http://host:port\"");
      }
      out.put(entry.substring(0, eq).trim(), entry.substring(eq + 1).trim());
    }
    return out;
  }
}
