package ringtrain.worker.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * One rank's partition of a data set, held compactly outside the Java heap: float32 features in
 * direct buffers, or, when the shard is larger than the off-heap budget, in a memory-mapped file
 * under a local directory (the operating system pages it in and out, so a shard may exceed the
 * executor's memory). Labels stay on the heap (4 bytes per example).
 *
 * <p>Rows are written once, each at its position ({@link #put}), in any order; then read from any
 * thread ({@link #copyFeatures}). The features are split into chunks of whole rows, each under 1
 * GiB, because one NIO buffer addresses at most 2 GiB.
 */
public final class LocalShard implements Examples, AutoCloseable {
  /** Largest chunk of feature bytes in one buffer (NIO buffers are int-indexed). */
  private static final long CHUNK_BYTES = 1L << 30;

  private final int size;
  private final int[] shape;
  private final int featureCount;
  private final int numClasses;
  private final int rowsPerChunk;
  private final FloatBuffer[] chunks;
  private final int[] labels;
  private final boolean[] written;
  private final Path file;
  private int missing;

  /**
   * @param size number of examples the shard will hold
   * @param shape shape of one example
   * @param numClasses labels lie in {@code [0, numClasses)}
   * @param offHeapMaxBytes above this many feature bytes the shard is memory-mapped from a file
   * @param spillDir where the file goes; only used when the shard is memory-mapped
   */
  public LocalShard(int size, int[] shape, int numClasses, long offHeapMaxBytes, Path spillDir) {
    if (size < 0) {
      throw new IllegalArgumentException("size must be >= 0, got " + size);
    }
    long d = 1;
    for (int s : shape) {
      d *= s;
    }
    if (d < 1 || d * Float.BYTES > CHUNK_BYTES) {
      throw new IllegalArgumentException("cannot hold examples of shape " + Arrays.toString(shape));
    }
    this.size = size;
    this.shape = shape.clone();
    this.featureCount = (int) d;
    this.numClasses = numClasses;
    this.rowsPerChunk = (int) Math.max(1, CHUNK_BYTES / (d * Float.BYTES));
    this.labels = new int[size];
    this.written = new boolean[size];
    this.missing = size;
    long bytes = (long) size * featureCount * Float.BYTES;
    int n = (int) ((size + (long) rowsPerChunk - 1) / rowsPerChunk);
    this.chunks = new FloatBuffer[n];
    if (bytes > offHeapMaxBytes) {
      this.file = mapped(spillDir, n);
    } else {
      this.file = null;
      for (int c = 0; c < n; c++) {
        chunks[c] =
            ByteBuffer.allocateDirect(chunkRows(c) * featureCount * Float.BYTES)
                .order(ByteOrder.nativeOrder())
                .asFloatBuffer();
      }
    }
  }

  /** A shard of the examples {@code i} of {@code all} with {@code i mod world == rank}. */
  public static LocalShard of(
      Examples all, int rank, int world, long offHeapMaxBytes, Path spillDir) {
    int n = rowsOf(all.size(), rank, world);
    LocalShard shard = new LocalShard(n, all.shape(), all.numClasses(), offHeapMaxBytes, spillDir);
    float[] row = new float[all.featureCount()];
    for (int j = 0; j < n; j++) {
      int i = j * world + rank;
      all.copyFeatures(i, row, 0);
      shard.put(j, row, all.label(i));
    }
    return shard;
  }

  /** How many of {@code total} examples rank {@code rank} of {@code world} holds: i mod N = r. */
  public static int rowsOf(long total, int rank, int world) {
    return (int) ((total - rank + world - 1) / world);
  }

  private Path mapped(Path dir, int n) {
    try {
      Files.createDirectories(dir);
      Path f = Files.createTempFile(dir, "ringtrain-shard-", ".f32");
      try (FileChannel ch =
          FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
        long position = 0;
        for (int c = 0; c < n; c++) {
          long bytes = (long) chunkRows(c) * featureCount * Float.BYTES;
          MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_WRITE, position, bytes);
          chunks[c] = map.order(ByteOrder.nativeOrder()).asFloatBuffer();
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

  /** Writes example {@code row}: {@code features} (featureCount values) and its class. */
  public void put(int row, float[] features, int label) {
    if (written[row]) {
      throw new IllegalStateException("row " + row + " of the shard was written twice");
    }
    FloatBuffer chunk = chunks[row / rowsPerChunk];
    chunk.put((row % rowsPerChunk) * featureCount, features, 0, featureCount);
    labels[row] = label;
    written[row] = true;
    missing--;
  }

  /** Rows not written yet. */
  public int missing() {
    return missing;
  }

  /** Whether the features live in a memory-mapped file rather than direct memory. */
  public boolean mapped() {
    return file != null;
  }

  @Override
  public void copyFeatures(int row, float[] dst, int offset) {
    FloatBuffer chunk = chunks[row / rowsPerChunk];
    chunk.get((row % rowsPerChunk) * featureCount, dst, offset, featureCount);
  }

  @Override
  public int label(int row) {
    return labels[row];
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public int featureCount() {
    return featureCount;
  }

  @Override
  public int[] shape() {
    return shape.clone();
  }

  @Override
  public int numClasses() {
    return numClasses;
  }

  /** Removes the shard file, if any; its pages go when the mappings are collected. */
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

  @Override
  public String toString() {
    return "LocalShard["
        + size
        + " × "
        + Arrays.toString(shape)
        + (file != null ? ", mapped from " + file : ", off-heap")
        + "]";
  }
}
