package ringtrain.worker.comm;

import ringtrain.common.numeric.Dtype;

/**
 * The fixed reduction order of the ring all-reduce, shared by every implementation so that they all
 * produce the same bits.
 *
 * <p>A vector of length L is cut into N chunks, chunk c covering {@code [c·L/N, (c+1)·L/N)}. Chunk
 * c starts at rank c and travels the ring c, c+1, …, c−1: each hop receives the partial sum rounded
 * to the wire type, adds its own FP32 value, and sends the rounded result on. The last rank of the
 * chain (rank c−1, the chunk's owner) divides by N for {@link ReduceOp#AVERAGE} and rounds once
 * more, so the value it keeps equals what the all-gather delivers to everyone.
 */
public final class RingOrder {
  private RingOrder() {}

  /** First element of chunk {@code chunk} of a vector of {@code length} split among {@code n}. */
  public static long chunkStart(long length, int n, int chunk) {
    return length * chunk / n;
  }

  /** Number of elements of chunk {@code chunk}. */
  public static long chunkLength(long length, int n, int chunk) {
    return chunkStart(length, n, chunk + 1) - chunkStart(length, n, chunk);
  }

  /**
   * The chunk rank {@code rank} of {@code n} finishes in the reduce-scatter and sends first in the
   * all-gather: chunk c's chain ends at rank c−1, so rank r owns chunk r+1.
   */
  public static int ownedChunk(int rank, int n) {
    return (rank + 1) % n;
  }

  /** The elements rank {@code rank} of {@code n} owns in a vector of {@code length}. */
  public static ChunkRange ownedRange(long length, int n, int rank) {
    int chunk = ownedChunk(rank, n);
    return new ChunkRange(chunkStart(length, n, chunk), chunkLength(length, n, chunk));
  }

  /** The chunk that element {@code index} belongs to. */
  public static int chunkOf(long length, int n, long index) {
    int c = (int) (index * n / Math.max(1, length));
    while (chunkStart(length, n, c + 1) <= index) {
      c++;
    }
    while (chunkStart(length, n, c) > index) {
      c--;
    }
    return c;
  }

  /**
   * The reduced value of one element.
   *
   * @param values the element on every rank, indexed by rank
   * @param chunk the chunk the element belongs to (its chain starts at this rank)
   */
  public static float reduce(float[] values, int chunk, ReduceOp op, Dtype wire) {
    int n = values.length;
    if (n == 1) {
      return values[0];
    }
    float acc = values[chunk];
    for (int hop = 1; hop < n; hop++) {
      acc = wire.round(acc) + values[(chunk + hop) % n];
    }
    if (op == ReduceOp.AVERAGE) {
      acc = acc / n;
    }
    return wire.round(acc);
  }
}
