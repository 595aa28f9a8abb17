package ringtrain.worker.snapshot;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The file contents a snapshot is made of: hashed, durable writes through a {@link Storage} and 1-D
 * float32 NumPy files.
 */
final class DurableFiles {
  private DurableFiles() {}

  static INDArray readNpy(Storage storage, String dir, String file) throws IOException {
    INDArray array = storage.readNpy(dir, file);
    if (array.dataType() != DataType.FLOAT) {
      throw new IOException(file + " holds " + array.dataType() + ", expected FLOAT");
    }
    return array.rank() == 1 ? array : array.reshape('c', new long[] {array.length()});
  }

  /** Writes {@code array} as a 1-D float32 .npy file, durably; returns its SHA-256. */
  static String writeNpy(Storage storage, String dir, String file, INDArray array, String what)
      throws IOException {
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
    return writeHashed(storage, dir, file, out -> Nd4j.writeAsNumpy(toWrite, out));
  }

  static String writeBytes(Storage storage, String dir, String file, byte[] bytes)
      throws IOException {
    return writeHashed(storage, dir, file, out -> out.write(bytes));
  }

  private interface StreamWriter {
    void writeTo(OutputStream out) throws IOException;
  }

  /** Writes through a SHA-256 digest in one pass; the storage makes it durable on close. */
  private static String writeHashed(Storage storage, String dir, String file, StreamWriter body)
      throws IOException {
    MessageDigest digest = Manifest.newDigest();
    try (OutputStream raw = storage.create(dir, file)) {
      DigestOutputStream hashed = new DigestOutputStream(new BufferedOutputStream(raw), digest);
      body.writeTo(new KeepOpen(hashed));
      hashed.flush();
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /** Lets a library close "its" stream without closing the file before it is made durable. */
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

  static String oneLine(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof java.net.UnknownHostException) {
        return "unknown host " + c.getMessage();
      }
    }
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    // A wrapped cause renders as "java.io.FooException: text"; the class name is not for users.
    message = message.replaceAll("(?:[A-Za-z_$][\\w$]*\\.)+[A-Z][\\w$]*(?:Exception|Error): ", "");
    return message.replaceAll("\\s*\\R\\s*", " ");
  }
}
