package ringtrain.worker.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import ringtrain.common.error.DataException;

/**
 * Reads the IDX files of MNIST-style datasets (http://yann.lecun.com/exdb/mnist): a big-endian
 * header (magic, then one 32-bit size per dimension) followed by unsigned bytes. Files may be
 * gzipped; {@code NAME} and {@code NAME.gz} are both looked for. The payload is read in one bulk
 * call, because per-byte stream reads make a 47 MB file take tens of seconds.
 */
final class IdxReader {
  /** Magic of an unsigned-byte tensor with 3 dimensions: images × rows × columns. */
  static final int IMAGES_MAGIC = 0x00000803;

  /** Magic of an unsigned-byte tensor with 1 dimension: labels. */
  static final int LABELS_MAGIC = 0x00000801;

  private static final int IMAGES_HEADER_BYTES = 16;
  private static final int LABELS_HEADER_BYTES = 8;
  private static final int STREAM_BUFFER_BYTES = 1 << 16;

  /** The images of one IDX file: {@code count} images of {@code rows × cols} unsigned bytes. */
  record Images(int count, int rows, int cols, byte[] pixels) {}

  private IdxReader() {}

  /**
   * Finds {@code name} or {@code name.gz} in {@code dir}, preferring the uncompressed file.
   *
   * @throws DataException naming the expected file names when neither exists
   */
  static Path locate(Path dir, String name) {
    if (!Files.isDirectory(dir)) {
      throw new DataException(
          "data.dir = "
              + dir
              + " is not a directory; set data.dir to the directory holding "
              + expectedFiles());
    }
    Path plain = dir.resolve(name);
    if (Files.isRegularFile(plain)) {
      return plain;
    }
    Path gz = dir.resolve(name + ".gz");
    if (Files.isRegularFile(gz)) {
      return gz;
    }
    throw new DataException(
        "data.dir = "
            + dir
            + " has no "
            + name
            + " (nor "
            + name
            + ".gz); the directory must hold "
            + expectedFiles());
  }

  static String expectedFiles() {
    return "train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and"
        + " t10k-labels-idx1-ubyte, each optionally gzipped (.gz)";
  }

  static Images readImages(Path file) {
    try (InputStream in = open(file)) {
      byte[] header = readFully(in, IMAGES_HEADER_BYTES, file, "the 16-byte header");
      checkMagic(file, intAt(header, 0), IMAGES_MAGIC, "images");
      int count = intAt(header, 4);
      int rows = intAt(header, 8);
      int cols = intAt(header, 12);
      if (count < 0 || rows <= 0 || cols <= 0) {
        throw new DataException(
            file
                + ": header gives "
                + count
                + " images of "
                + rows
                + "×"
                + cols
                + ", which is not a valid image file; replace it with an IDX images file");
      }
      long bytes = (long) count * rows * cols;
      if (bytes > Integer.MAX_VALUE - 16) {
        throw new DataException(
            file + ": " + count + " images of " + rows + "×" + cols + " do not fit in memory");
      }
      String what = count + " images of " + rows + "×" + cols + " (" + bytes + " bytes)";
      byte[] pixels = readFully(in, (int) bytes, file, what);
      return new Images(count, rows, cols, pixels);
    } catch (IOException e) {
      throw unreadable(file, e);
    }
  }

  static byte[] readLabels(Path file) {
    try (InputStream in = open(file)) {
      byte[] header = readFully(in, LABELS_HEADER_BYTES, file, "the 8-byte header");
      checkMagic(file, intAt(header, 0), LABELS_MAGIC, "labels");
      int count = intAt(header, 4);
      if (count < 0) {
        throw new DataException(
            file + ": header gives " + count + " labels; replace it with an IDX labels file");
      }
      return readFully(in, count, file, count + " labels");
    } catch (IOException e) {
      throw unreadable(file, e);
    }
  }

  private static InputStream open(Path file) throws IOException {
    InputStream raw = new BufferedInputStream(Files.newInputStream(file), STREAM_BUFFER_BYTES);
    if (file.getFileName().toString().endsWith(".gz")) {
      return new GZIPInputStream(raw, STREAM_BUFFER_BYTES);
    }
    return raw;
  }

  private static byte[] readFully(InputStream in, int n, Path file, String what)
      throws IOException {
    byte[] out = new byte[n];
    int read;
    try {
      read = in.readNBytes(out, 0, n);
    } catch (EOFException e) {
      // GZIPInputStream reports a cut-off compressed stream this way.
      throw truncated(file, what, -1);
    }
    if (read < n) {
      throw truncated(file, what, read);
    }
    return out;
  }

  private static DataException truncated(Path file, String what, int found) {
    String got = found < 0 ? "the compressed stream ends early" : "only " + found + " bytes follow";
    return new DataException(
        file
            + " is truncated: it should hold "
            + what
            + " but "
            + got
            + "; download the file again");
  }

  private static void checkMagic(Path file, int found, int expected, String kind) {
    if (found != expected) {
      throw new DataException(
          String.format(
              "%s: wrong magic number 0x%08X, expected 0x%08X for IDX %s; the file is not an IDX"
                  + " %s file (or is compressed without a .gz name)",
              file, found, expected, kind, kind));
    }
  }

  private static DataException unreadable(Path file, IOException e) {
    if (e instanceof ZipException || e instanceof EOFException) {
      return new DataException(
          file + " is not a valid gzip file (" + e.getMessage() + "); download the file again", e);
    }
    return new DataException("cannot read " + file + ": " + e.getMessage(), e);
  }

  private static int intAt(byte[] b, int offset) {
    return ((b[offset] & 0xff) << 24)
        | ((b[offset + 1] & 0xff) << 16)
        | ((b[offset + 2] & 0xff) << 8)
        | (b[offset + 3] & 0xff);
  }
}
