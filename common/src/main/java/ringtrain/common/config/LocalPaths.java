package ringtrain.common.config;

import java.net.URI;
import java.nio.file.Path;
import java.util.regex.Pattern;
import ringtrain.common.error.ConfigException;

/**
 * Path settings are read and written with {@code java.nio} on the driver and the executors, so they
 * name local or mounted directories. A URI of another file system ({@code hdfs://}, {@code s3a://},
 * ...) would otherwise turn silently into a local relative path.
 */
final class LocalPaths {
  private static final Pattern URI_SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:/.*");

  private LocalPaths() {}

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
    if (scheme.equalsIgnoreCase("file")) {
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
}
