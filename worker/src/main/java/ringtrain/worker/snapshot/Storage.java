package ringtrain.worker.snapshot;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;

/**
 * The file system under {@code snapshot.dir}, as the snapshot store uses it: one root directory,
 * snapshot directories directly below it, files directly below those. Names are relative to the
 * root, so the store never builds a path of a particular file system.
 *
 * <p>Two kinds of commit exist (DESIGN.md §14): where a directory rename is atomic (a local disk,
 * HDFS) a snapshot is written under a temporary name and renamed into place; where it is a copy (S3
 * and other object stores) it is written in place and the MANIFEST, written last, is the commit.
 */
interface Storage {

  /** What the root is now. */
  enum RootKind {
    MISSING,
    DIRECTORY,
    FILE
  }

  /** One entry directly under the root. */
  record Entry(String name, boolean directory) {}

  /** The root as the user wrote it, for messages. */
  String root();

  /** The location of {@code dir} under the root, for messages. */
  String locate(String dir);

  /** Whether {@link #rename} of a directory is atomic here. */
  boolean renameIsAtomic();

  RootKind rootKind() throws IOException;

  /** Creates the root and any missing parents. */
  void createRoot() throws IOException;

  /** Whether this process may create files under the existing root, as far as can be told. */
  boolean rootWritable() throws IOException;

  /** The entries directly under the root, or none when the root does not exist. */
  List<Entry> list() throws IOException;

  void createDir(String dir) throws IOException;

  /**
   * A new file {@code dir/file}, replacing any; its bytes are durable (fsynced, hsynced or
   * uploaded) once the stream is closed.
   */
  OutputStream create(String dir, String file) throws IOException;

  /**
   * Reads {@code dir/file}.
   *
   * @throws java.io.FileNotFoundException or {@link java.nio.file.NoSuchFileException} when absent
   */
  InputStream open(String dir, String file) throws IOException;

  /** The whole of {@code dir/file} as a 1-D float32 NumPy array. */
  org.nd4j.linalg.api.ndarray.INDArray readNpy(String dir, String file) throws IOException;

  boolean isFile(String dir, String file) throws IOException;

  /** Deletes {@code dir/file} if it exists. */
  void delete(String dir, String file) throws IOException;

  /** Renames directory {@code from} to {@code to}, which must not exist; atomic where possible. */
  void rename(String from, String to) throws IOException;

  /** Makes the names in {@code dir} (or the root, for {@code null}) durable where that applies. */
  void syncDir(String dir);

  /** Deletes {@code dir} and everything in it; failures are logged, not thrown. */
  void deleteTree(String dir);
}
