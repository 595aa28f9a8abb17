package ringtrain.worker.snapshot;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** File and directory names of the snapshot format (DESIGN.md §7), in one place. */
final class SnapshotLayout {
  static final String PARAMS_FILE = "params.npy";
  static final String STATE_FILE = "state.json";
  static final String MANIFEST_FILE = "MANIFEST";
  static final String NPY_SUFFIX = ".npy";

  /** Prefix of directories being written; never taken for a snapshot, removed by the writer. */
  static final String TEMP_PREFIX = ".tmp-";

  /** Prefix of a replaced snapshot waiting to be deleted. */
  static final String RETIRED_PREFIX = ".old-";

  private static final Pattern SNAPSHOT_DIR = Pattern.compile("step-(\\d{8,})");
  private static final Pattern STATE_NAME = Pattern.compile("[A-Za-z0-9_]+");

  private SnapshotLayout() {}

  static String dirName(long step) {
    return String.format("step-%08d", step);
  }

  /** The step of a directory named {@code step-%08d}, or empty for any other name. */
  static Optional<Long> stepOf(String name) {
    Matcher m = SNAPSHOT_DIR.matcher(name);
    if (!m.matches()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Long.parseLong(m.group(1)));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  static boolean isScratch(String name) {
    return name.startsWith(TEMP_PREFIX) || name.startsWith(RETIRED_PREFIX);
  }

  /**
   * Optimizer-state names become file names, so they are restricted to a safe alphabet and may not
   * shadow the parameter file.
   */
  static void checkStateName(String name) {
    if (name == null || !STATE_NAME.matcher(name).matches() || name.equals("params")) {
      throw new IllegalArgumentException(
          "optimizer state name must match [A-Za-z0-9_]+ and not be 'params', got '" + name + "'");
    }
  }
}
