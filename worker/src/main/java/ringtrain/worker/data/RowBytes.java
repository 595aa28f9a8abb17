package ringtrain.worker.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Fixed-size rows of bytes outside the Java heap: in direct buffers, or, above an off-heap budget,
 * in chunks of one memory-mapped file under a local directory (the operating system pages it in and
 * out, so the rows may exceed the executor's memory). Rows are split into chunks of whole rows,
 * each under 1 GiB, because one NIO buffer addresses at most 2 GiB.
 */
final class RowBytes implements AutoCloseable {
  /** Largest chunk in one buffer (NIO buffers are int-indexed). */
  static final long CHUNK_BYTES = 1L << 30;

  private final int size;
  private final int rowBytes;
  private final int rowsPerChunk;
  private final ByteBuffer[] chunks;
  private final Path file;

  /**
   * @param size number of rows
   * @param rowBytes bytes per row, at most {@link #CHUNK_BYTES}
   * @param storage the off-heap budget and where a file goes above it
   * @param suffix the file name's suffix, which says what the bytes are
   */
  RowBytes(int size, long rowBytes, ShardStorage storage, String suffix) {
    if (rowBytes < 1 || rowBytes > CHUNK_BYTES) {
      throw new IllegalArgumentException("cannot hold rows of " + rowBytes + " bytes");
    }
    this.size = size;
    this.rowBytes = (int) rowBytes;
    this.rowsPerChunk = (int) (CHUNK_BYTES / rowBytes);
    int n = (int) ((size + (long) rowsPerChunk - 1) / rowsPerChunk);
    this.chunks = new ByteBuffer[n];
    if ((long) size * rowBytes > storage.offHeapMaxBytes()) {
      this.file = map(storage.spillDir(), suffix);
    } else {
      this.file = null;
      for (int c = 0; c < n; c++) {
        chunks[c] =
            ByteBuffer.allocateDirect(chunkRows(c) * this.rowBytes).order(ByteOrder.nativeOrder());
      }
    }
  }

  private Path map(Path dir, String suffix) {
    try {
      Files.createDirectories(dir);
      Path f = Files.createTempFile(dir, "ringtrain-shard-", suffix);
      try (FileChannel ch =
          FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
        long position = 0;
        for (int c = 0; c < chunks.length; c++) {
          long bytes = (long) chunkRows(c) * rowBytes;
          MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_WRITE, position, bytes);
          chunks[c] = map.order(ByteOrder.nativeOrder());
          position += bytes;
        }
      }
      // The mappings outlive the channel; the name is removed at close.
      return f;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a shard file under " + dir, e);
    }
  }

  private int chunkRows(int c) {
    return (int) Math.min(rowsPerChunk, size - (long) c * rowsPerChunk);
  }

  /** The chunks, in row order; row {@code r} is in chunk {@code r / rowsPerChunk()}. */
  ByteBuffer[] chunks() {
    return chunks;
  }

  int rowsPerChunk() {
    return rowsPerChunk;
  }

  /** The chunk that holds row {@code row}. */
  ByteBuffer chunk(int row) {
    return chunks[row / rowsPerChunk];
  }

  /** Where row {@code row} starts in its chunk, in bytes. */
  int offset(int row) {
    return (row % rowsPerChunk) * rowBytes;
  }

  /** Whether the rows live in a memory-mapped file rather than direct memory. */
  boolean mapped() {
    return file != null;
  }

  /** The file, or null. */
  Path file() {
    return file;
  }

  /** Bytes of all rows. */
  long bytes() {
    return (long) size * rowBytes;
  }

  /** Removes the file, if any; its pages go when the mappings are collected. */
  @Override
  public void close() {
    if (file != null) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot remove the shard file " + file, e);
      }
    }
  }
}
