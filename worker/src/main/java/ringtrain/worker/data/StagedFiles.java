package ringtrain.worker.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import ringtrain.common.config.LocalPaths;
import ringtrain.common.error.DataException;

/**
 * IDX and CSV files named by a Hadoop URI ({@code hdfs://}, {@code s3a://}, ...), copied once into
 * a local temporary directory so the readers read them like local files; the driver reads the data
 * whole anyway. Plain paths and {@code file:} URIs are used where they are. {@link #close} removes
 * what was copied.
 */
final class StagedFiles implements AutoCloseable {
  private Path staging;

  /**
   * The local directory holding the IDX files of {@code dir}: {@code dir} itself, or a copy of the
   * files among {@code names} (each as it is or gzipped) when {@code dir} is a Hadoop URI.
   *
   * @throws DataException naming {@code dir} when a file is missing or the file system unreachable
   */
  Path idxDir(String dir, List<String> names) {
    if (!LocalPaths.isHadoopUri(dir)) {
      return LocalPaths.localPath(dir);
    }
    org.apache.hadoop.fs.Path remote = new org.apache.hadoop.fs.Path(dir);
    try {
      FileSystem fs = remote.getFileSystem(new Configuration());
      if (!fs.getFileStatus(remote).isDirectory()) {
        throw new DataException(
            "data.dir = "
                + dir
                + " is not a directory; set data.dir to the directory holding "
                + IdxReader.expectedFiles());
      }
      Path local = staging();
      for (String name : names) {
        org.apache.hadoop.fs.Path plain = new org.apache.hadoop.fs.Path(remote, name);
        org.apache.hadoop.fs.Path gz = new org.apache.hadoop.fs.Path(remote, name + ".gz");
        org.apache.hadoop.fs.Path file = fs.isFile(plain) ? plain : fs.isFile(gz) ? gz : null;
        if (file == null) {
          throw new DataException(
              "data.dir = "
                  + dir
                  + " has no "
                  + name
                  + " (nor "
                  + name
                  + ".gz); the directory must hold "
                  + IdxReader.expectedFiles());
        }
        fs.copyToLocalFile(false, file, toHadoop(local.resolve(file.getName())), true);
      }
      return local;
    } catch (IOException e) {
      throw unreachable("data.dir", dir, e);
    }
  }

  /**
   * A local path of the CSV file {@code file}: itself, or a copy when it is a Hadoop URI.
   *
   * @param key the setting that names it, for messages
   */
  Path file(String key, String file) {
    if (!LocalPaths.isHadoopUri(file)) {
      return LocalPaths.localPath(file);
    }
    org.apache.hadoop.fs.Path remote = new org.apache.hadoop.fs.Path(file);
    try {
      FileSystem fs = remote.getFileSystem(new Configuration());
      if (!fs.isFile(remote)) {
        throw new DataException(
            key + " = " + file + " is not a file; set " + key + " to the CSV file to read");
      }
      Path local = staging().resolve(key + "-" + remote.getName());
      fs.copyToLocalFile(false, remote, toHadoop(local), true);
      return local;
    } catch (IOException e) {
      throw unreachable(key, file, e);
    }
  }

  private Path staging() throws IOException {
    if (staging == null) {
      staging = Files.createTempDirectory("ringtrain-data-");
    }
    return staging;
  }

  private static org.apache.hadoop.fs.Path toHadoop(Path local) {
    return new org.apache.hadoop.fs.Path(local.toUri());
  }

  private static DataException unreachable(String key, String uri, IOException e) {
    return new DataException(
        "cannot read "
            + key
            + " = "
            + uri
            + " ("
            + firstLine(e.getMessage())
            + "); check the URI and that its file system is reachable from the driver",
        e);
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "no detail";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }

  @Override
  public void close() {
    if (staging == null) {
      return;
    }
    try (Stream<Path> files = Files.walk(staging)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove the staged data in " + staging, e);
    }
  }
}
