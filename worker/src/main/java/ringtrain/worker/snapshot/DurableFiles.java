package ringtrain.worker.snapshot;

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The file operations a crash-safe snapshot needs: hashed and fsynced writes, 1-D float32 NumPy
 * files, atomic renames, directory fsync and recursive delete.
 */
final class DurableFiles {
  private static final Logger LOG = LoggerFactory.getLogger(DurableFiles.class);

  private DurableFiles() {}

  static INDArray readNpy(Path file) throws IOException {
    INDArray array = Nd4j.createFromNpyFile(file.toFile());
    if (array.dataType() != DataType.FLOAT) {
      throw new IOException(file.getFileName() + " holds " + array.dataType() + ", expected FLOAT");
    }
    return array.rank() == 1 ? array : array.reshape('c', new long[] {array.length()});
  }

  /** Writes {@code array} as a 1-D float32 .npy file, fsynced; returns its SHA-256. */
  static String writeNpy(Path file, INDArray array, String what) throws IOException {
    if (array.dataType() != DataType.FLOAT) {
      throw new IllegalArgumentException(
          what + " must be FP32 to be snapshotted, got " + array.dataType());
    }
    INDArray flat = array;
    if (array.rank() != 1 || array.isView() || array.ordering() != 'c') {
      // NumPy readers expect shape (n,) in C order; a copy also drops any view offset or stride.
      flat = array.dup('c').reshape('c', new long[] {array.length()});
    }
    INDArray toWrite = flat;
    return writeHashed(file, out -> Nd4j.writeAsNumpy(toWrite, out));
  }

  static String writeBytes(Path file, byte[] bytes) throws IOException {
    return writeHashed(file, out -> out.write(bytes));
  }

  private interface StreamWriter {
    void writeTo(OutputStream out) throws IOException;
  }

  /** Writes through a SHA-256 digest in one pass, then fsyncs before closing. */
  private static String writeHashed(Path file, StreamWriter body) throws IOException {
    MessageDigest digest = Manifest.newDigest();
    try (FileOutputStream fos = new FileOutputStream(file.toFile())) {
      DigestOutputStream hashed = new DigestOutputStream(new BufferedOutputStream(fos), digest);
      body.writeTo(new KeepOpen(hashed));
      hashed.flush();
      fos.getChannel().force(true);
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /** Lets a library close "its" stream without closing the file before we fsync it. */
  private static final class KeepOpen extends FilterOutputStream {
    KeepOpen(OutputStream out) {
      super(out);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
    }

    @Override
    public void close() throws IOException {
      flush();
    }
  }

  static void moveAtomically(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException(
          "the file system of " + to.getParent() + " cannot rename atomically", e);
    }
  }

  static void fsyncDirectory(Path directory) {
    try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      // Some file systems refuse to fsync a directory; the rename itself is still atomic.
      LOG.debug("Cannot fsync directory {}: {}", directory, e.toString());
    }
  }

  static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException | UncheckedIOException e) {
      LOG.warn("Cannot delete {}: {}", root, oneLine(e));
    }
  }

  static String oneLine(Throwable e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return message.replaceAll("\\s*\\R\\s*", " ");
  }
}
