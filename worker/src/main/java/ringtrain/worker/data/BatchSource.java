package ringtrain.worker.data;

import org.nd4j.linalg.dataset.DataSet;

/**
 * The micro-batches one rank trains on, asked for in training order: micro-batch 0..k−1 of step s,
 * then of step s+1. Implementations may assemble the next one ahead of time.
 */
public interface BatchSource extends AutoCloseable {
  /** Micro-batch {@code micro} of global step {@code step}. */
  DataSet next(long step, int micro);

  /** Nanoseconds {@link #next} has spent waiting for batches not yet assembled, so far. */
  long waitNanos();

  /** Stops any background work. */
  @Override
  void close();
}
