package ringtrain.worker.snapshot;

import java.net.URI;
import java.nio.file.Path;
import java.util.regex.Pattern;

/** Tells a Hadoop URI ({@code hdfs://}, {@code s3a://}, ...) from a local path. */
public final class SnapshotLocation {
  private static final Pattern URI_SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:/.*");

  private SnapshotLocation() {}

  /**
   * Whether {@code location} is a URI of a file system other than the local one; a {@code file:}
   * URI and a plain path are local.
   */
  public static boolean isHadoopUri(String location) {
    if (!URI_SCHEME.matcher(location).matches()) {
      return false;
    }
    return !location.regionMatches(true, 0, "file:", 0, 5);
  }

  /** A local location as a path: a plain path as it is, a {@code file:} URI as its path. */
  public static Path localPath(String location) {
    if (URI_SCHEME.matcher(location).matches()) {
      return Path.of(URI.create(location));
    }
    return Path.of(location);
  }
}
