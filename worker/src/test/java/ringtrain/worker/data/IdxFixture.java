package ringtrain.worker.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Writes small IDX files for tests, byte by byte as the format describes them. */
final class IdxFixture {
  private IdxFixture() {}

  /** An images file: header (magic, count, rows, cols) then {@code pixels}, unchanged. */
  static byte[] images(int magic, int count, int rows, int cols, byte[] pixels) {
    ByteBuffer b = ByteBuffer.allocate(16 + pixels.length); // big-endian by default
    b.putInt(magic).putInt(count).putInt(rows).putInt(cols).put(pixels);
    return b.array();
  }

  /** A labels file: header (magic, count) then {@code labels}, unchanged. */
  static byte[] labels(int magic, int count, byte[] labels) {
    ByteBuffer b = ByteBuffer.allocate(8 + labels.length);
    b.putInt(magic).putInt(count).put(labels);
    return b.array();
  }

  static byte[] gzip(byte[] data) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (OutputStream out = new GZIPOutputStream(bytes)) {
      out.write(data);
    }
    return bytes.toByteArray();
  }

  /**
   * Writes a consistent train/t10k pair: {@code trainCount} and {@code testCount} images of {@code
   * rows × cols}, pixel value {@code (example·7 + position) mod 256}, label {@code example mod 10}.
   */
  static void writeDataset(Path dir, int trainCount, int testCount, int rows, int cols, boolean gz)
      throws IOException {
    write(dir, "train", trainCount, rows, cols, gz);
    write(dir, "t10k", testCount, rows, cols, gz);
  }

  static void write(Path dir, String prefix, int count, int rows, int cols, boolean gz)
      throws IOException {
    int hw = rows * cols;
    byte[] pixels = new byte[count * hw];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (byte) (((i / hw) * 7 + i % hw) % 256);
    }
    byte[] labels = new byte[count];
    for (int i = 0; i < count; i++) {
      labels[i] = (byte) (i % 10);
    }
    writeFile(
        dir,
        prefix + "-images-idx3-ubyte",
        images(IdxReader.IMAGES_MAGIC, count, rows, cols, pixels),
        gz);
    writeFile(
        dir, prefix + "-labels-idx1-ubyte", labels(IdxReader.LABELS_MAGIC, count, labels), gz);
  }

  static void writeFile(Path dir, String name, byte[] content, boolean gz) throws IOException {
    Files.createDirectories(dir);
    if (gz) {
      Files.write(dir.resolve(name + ".gz"), gzip(content));
    } else {
      Files.write(dir.resolve(name), content);
    }
  }
}
