package ringtrain.worker.comm;

/**
 * A contiguous range of a collective's buffer, in elements counted from the buffer's {@code
 * position()}: the chunk a rank owns after {@link Collective#reduceScatter}.
 */
public record ChunkRange(long start, long length) {
  public ChunkRange {
    if (start < 0 || length < 0) {
      throw new IllegalArgumentException("chunk [" + start + ", +" + length + ") is negative");
    }
  }

  /** One past the last element. */
  public long end() {
    return start + length;
  }
}
