package ringtrain.common.config;

import java.net.URI;
import java.nio.file.Path;
import java.util.regex.Pattern;
import ringtrain.common.error.ConfigException;

/**
 * Path settings that are read and written with {@code java.nio} on the driver and the executors
 * name local or mounted directories: for them a URI of another file system ({@code hdfs://}, {@code
 * s3a://}, ...) would otherwise turn silently into a local relative path. Settings read through
 * Hadoop's file systems ({@link #localOrHadoop}) keep such URIs, and their readers tell the two
 * kinds apart with {@link #isHadoopUri} and {@link #localPath}.
 */
public final class LocalPaths {
  private static final Pattern URI_SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:/.*");

  private LocalPaths() {}

  /**
   * Whether {@code location} is a URI of a file system other than the local one; a {@code file:}
   * URI and a plain path are local.
   */
  public static boolean isHadoopUri(String location) {
    return URI_SCHEME.matcher(location).matches() && !isFileUri(location);
  }

  /** A local location as a path: a plain path as it is, a {@code file:} URI as its path. */
  public static Path localPath(String location) {
    if (URI_SCHEME.matcher(location).matches()) {
      return Path.of(URI.create(location));
    }
    return Path.of(location);
  }

  private static boolean isFileUri(String value) {
    return value.regionMatches(true, 0, "file:", 0, 5);
  }

  /**
   * {@code value} as a local path string: unchanged, or a {@code file:} URI turned into its path.
   *
   * @throws ConfigException for a URI of any other scheme
   */
  static String check(String key, String value) {
    if (!URI_SCHEME.matcher(value).matches()) {
      return value;
    }
    String scheme = value.substring(0, value.indexOf(':'));
    if (isFileUri(value)) {
      try {
        return Path.of(URI.create(value)).toString();
      } catch (IllegalArgumentException e) {
        throw new ConfigException(key + " = " + value + " is not a valid file: URI; write a path");
      }
    }
    throw new ConfigException(
        key
            + " = "
            + value
            + ": "
            + scheme
            + ": URIs are not supported; use a local path or a mount every executor sees (NFS,"
            + " a FUSE mount of the bucket)");
  }

  /**
   * {@code value} as a local path string or a Hadoop URI: a {@code file:} URI becomes its path, a
   * URI of another scheme ({@code hdfs://nn:8020/ckpt}, {@code s3a://bucket/ckpt}) is kept.
   *
   * @throws ConfigException for a URI that does not parse
   */
  static String localOrHadoop(String key, String value) {
    if (!URI_SCHEME.matcher(value).matches()) {
      return value;
    }
    if (isFileUri(value)) {
      return check(key, value);
    }
    try {
      URI.create(value);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(
          key
              + " = "
              + value
              + " is not a valid URI; write scheme://authority/path, such as"
              + " hdfs://namenode:8020/ckpt or s3a://bucket/ckpt");
    }
    return value;
  }
}
