package ringtrain.worker.data;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;
import ringtrain.common.config.DataConfig.ShardEncoding;

/**
 * One rank's partition of a data set, held compactly outside the Java heap ({@link RowBytes}): in
 * direct buffers, or, above the off-heap budget, in a memory-mapped file under a local directory.
 * Labels stay on the heap (4 bytes per example).
 *
 * <p>The features take one of two forms ({@code data.shard.encoding}). With {@code auto}, as long
 * as the shard has at most 256 distinct feature values, each feature is a one-byte code into the
 * shard's {@link CodeBook}, a quarter of float32; the first row that brings a 257th value turns the
 * shard into float32 rows (the rows so far are decoded into them). With {@code float32}, or when
 * the first row alone has more than 256 values, the rows are float32 from the start. Either way
 * {@link #copyFeatures} gives back the exact floats that were put.
 *
 * <p>Rows are written once, each at its position ({@link #put}), in any order, by one thread; then
 * read from any thread ({@link #copyFeatures}).
 */
public final class LocalShard implements Examples, AutoCloseable {
  private final int size;
  private final int[] shape;
  private final int featureCount;
  private final int numClasses;
  private final ShardStorage storage;
  private final int[] labels;
  private final boolean[] written;
  private final byte[] codes;
  private int missing;

  /** The features' bytes; made at the first {@link #put}, when the first row says their form. */
  private RowBytes rows;

  /** The codes' values while the rows are codes; null once they are float32. */
  private CodeBook book;

  /** The float32 views of {@link #rows}' chunks; null while the rows are codes. */
  private FloatBuffer[] floats;

  /**
   * @param size number of examples the shard will hold
   * @param shape shape of one example
   * @param numClasses labels lie in {@code [0, numClasses)}
   * @param storage the off-heap budget, the directory of memory-mapped shards, the encoding
   */
  public LocalShard(int size, int[] shape, int numClasses, ShardStorage storage) {
    if (size < 0) {
      throw new IllegalArgumentException("size must be >= 0, got " + size);
    }
    long d = 1;
    for (int s : shape) {
      d *= s;
    }
    if (d < 1 || d * Float.BYTES > RowBytes.CHUNK_BYTES) {
      throw new IllegalArgumentException("cannot hold examples of shape " + Arrays.toString(shape));
    }
    this.size = size;
    this.shape = shape.clone();
    this.featureCount = (int) d;
    this.numClasses = numClasses;
    this.storage = storage;
    this.labels = new int[size];
    this.written = new boolean[size];
    this.codes = new byte[featureCount];
    this.missing = size;
  }

  /** A shard of the examples {@code i} of {@code all} with {@code i mod world == rank}. */
  public static LocalShard of(Examples all, int rank, int world, ShardStorage storage) {
    int n = rowsOf(all.size(), rank, world);
    LocalShard shard = new LocalShard(n, all.shape(), all.numClasses(), storage);
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

  /** Writes example {@code row}: {@code features} (featureCount values) and its class. */
  public void put(int row, float[] features, int label) {
    if (written[row]) {
      throw new IllegalStateException("row " + row + " of the shard was written twice");
    }
    if (rows == null) {
      open(features);
    }
    if (book != null && !book.encode(features, featureCount, codes)) {
      widen();
    }
    if (book != null) {
      rows.chunk(row).put(rows.offset(row), codes, 0, featureCount);
    } else {
      floatChunk(row).put(floatOffset(row), features, 0, featureCount);
    }
    labels[row] = label;
    written[row] = true;
    missing--;
  }

  /** Codes when the encoding allows and the first row has at most 256 values; float32 otherwise. */
  private void open(float[] first) {
    if (storage.encoding() == ShardEncoding.AUTO) {
      CodeBook b = new CodeBook();
      if (b.encode(first, featureCount, codes)) {
        book = b;
        rows = new RowBytes(size, featureCount, storage, ".u8");
        return;
      }
    }
    openFloats();
  }

  private void openFloats() {
    rows = new RowBytes(size, (long) featureCount * Float.BYTES, storage, ".f32");
    ByteBuffer[] chunks = rows.chunks();
    floats = new FloatBuffer[chunks.length];
    for (int c = 0; c < chunks.length; c++) {
      floats[c] = chunks[c].asFloatBuffer();
    }
  }

  /** A 257th distinct value: the rows written so far move to float32 rows. */
  private void widen() {
    RowBytes coded = rows;
    float[] values = book.values();
    book = null;
    openFloats();
    float[] row = new float[featureCount];
    for (int r = 0; r < size; r++) {
      if (written[r]) {
        decode(coded.chunk(r), coded.offset(r), values, row, 0);
        floatChunk(r).put(floatOffset(r), row, 0, featureCount);
      }
    }
    coded.close();
  }

  /** The float32 view of the chunk that holds {@code row}. */
  private FloatBuffer floatChunk(int row) {
    return floats[row / rows.rowsPerChunk()];
  }

  /** Where {@code row} starts in its float32 chunk, in floats. */
  private int floatOffset(int row) {
    return rows.offset(row) / Float.BYTES;
  }

  private void decode(ByteBuffer chunk, int base, float[] values, float[] dst, int offset) {
    for (int i = 0; i < featureCount; i++) {
      dst[offset + i] = values[chunk.get(base + i) & 0xff];
    }
  }

  /** Rows not written yet. */
  public int missing() {
    return missing;
  }

  /** Whether the features live in a memory-mapped file rather than direct memory. */
  public boolean mapped() {
    return rows != null && rows.mapped();
  }

  /** Whether the features are one-byte codes (rather than float32). */
  public boolean coded() {
    return book != null;
  }

  /** Bytes the features take, off-heap or in the file (0 before the first row). */
  public long featureBytes() {
    return rows == null ? 0 : rows.bytes();
  }

  @Override
  public void copyFeatures(int row, float[] dst, int offset) {
    if (book != null) {
      decode(rows.chunk(row), rows.offset(row), book.values(), dst, offset);
    } else {
      floatChunk(row).get(floatOffset(row), dst, offset, featureCount);
    }
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
    if (rows != null) {
      rows.close();
    }
  }

  @Override
  public String toString() {
    return "LocalShard["
        + size
        + " × "
        + Arrays.toString(shape)
        + (book != null ? ", one-byte codes of " + book.size() + " values" : ", float32")
        + (rows == null
            ? ""
            : String.format(
                java.util.Locale.ROOT,
                ", %.1f MiB %s",
                rows.bytes() / 1048576.0,
                rows.mapped() ? "mapped from " + rows.file() : "off-heap"))
        + "]";
  }
}
