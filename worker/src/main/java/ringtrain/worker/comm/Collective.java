package ringtrain.worker.comm;

import java.nio.FloatBuffer;
import ringtrain.common.numeric.Dtype;

/**
 * Collective operations among the ranks of one training job. Every call is made by every rank in
 * the same order with buffers of the same length; every wait ends by the configured deadline with a
 * {@link CommException} naming the rank that did not answer.
 *
 * <p>Buffers are flat FP32 vectors, usually direct views of ND4J off-heap arrays, read and written
 * in place from {@code position()} to {@code limit()}.
 */
public interface Collective extends AutoCloseable {

  /** This rank, in {@code [0, worldSize())}. */
  int rank();

  /** Number of ranks in the job. */
  int worldSize();

  /**
   * Reduces {@code buffer} across all ranks in place: afterwards every rank holds the same reduced
   * vector.
   *
   * @param step the optimizer step this reduction belongs to (stamped on every frame)
   */
  default void allReduce(FloatBuffer buffer, ReduceOp op, long step) {
    allReduce(buffer, op, step, Dtype.FP32);
  }

  /**
   * As {@link #allReduce(FloatBuffer, ReduceOp, long)}, with {@code wire} values between ranks:
   * every hop rounds once to the wire type and adds in FP32 (precision.comm).
   */
  void allReduce(FloatBuffer buffer, ReduceOp op, long step, Dtype wire);

  /**
   * Starts reducing one bucket and returns at once, so that the caller can go on computing the
   * gradients of the next bucket. Buckets are reduced in the order they are started, which must be
   * the same on every rank, by the one queue per rank that also runs the blocking calls.
   */
  default PendingReduce startAllReduce(FloatBuffer buffer, ReduceOp op, long step) {
    return startAllReduce(buffer, op, step, Dtype.FP32);
  }

  /**
   * As {@link #startAllReduce(FloatBuffer, ReduceOp, long)}, with {@code wire} values on the wire.
   */
  PendingReduce startAllReduce(FloatBuffer buffer, ReduceOp op, long step, Dtype wire);

  /**
   * The first half of {@link #allReduce(FloatBuffer, ReduceOp, long, Dtype)}, in place over the
   * whole buffer: afterwards the elements of {@link #ownedRange} hold, bit for bit, what {@code
   * allReduce} with the same arguments would leave there; the other elements are unspecified. Ends
   * by the same deadline ({@code comm.timeout}) as {@code allReduce}.
   *
   * @param step the optimizer step this reduction belongs to (stamped on every frame)
   * @param wire the type values travel in between ranks, summed in FP32 (precision.comm)
   */
  void reduceScatter(FloatBuffer buffer, ReduceOp op, long step, Dtype wire);

  /**
   * The second half of {@link #allReduce(FloatBuffer, ReduceOp, long, Dtype)}: every rank
   * contributes the elements of its {@link #ownedRange} and afterwards every rank holds every
   * rank's chunk, so that after {@link #reduceScatter} the buffer equals, bit for bit, what {@code
   * allReduce} would have left. With a wire type narrower than FP32 the chunks are delivered
   * rounded to it, the owner's own chunk included (a no-op after {@code reduceScatter}), so every
   * rank holds the same bits. Ends by the same deadline ({@code comm.timeout}) as {@code
   * allReduce}.
   *
   * @param step the optimizer step this gather belongs to (stamped on every frame)
   */
  void allGather(FloatBuffer buffer, long step, Dtype wire);

  /**
   * The elements of a buffer of {@code length} that this rank owns in {@link #reduceScatter} and
   * {@link #allGather}, counted from the buffer's {@code position()} (chunk {@code rank()+1 mod
   * worldSize()} of {@link RingOrder}).
   */
  default ChunkRange ownedRange(long length) {
    return RingOrder.ownedRange(length, worldSize(), rank());
  }

  /** Copies {@code root}'s {@code buffer} into every other rank's {@code buffer}. */
  void broadcast(FloatBuffer buffer, int root, long step);

  /** Returns once every rank has entered the barrier for {@code step}. */
  void barrier(long step);

  /** Frees every resource (threads, files, ports). Idempotent. */
  @Override
  void close();
}
