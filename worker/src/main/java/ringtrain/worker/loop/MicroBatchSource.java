package ringtrain.worker.loop;

import org.nd4j.linalg.dataset.DataSet;
import ringtrain.worker.data.BatchSource;

/**
 * Where a rank's micro-batches come from: micro-batch j of step s is what the rank's {@link
 * BatchSource} assembles for (s, j) — from the whole set in the global order of {@link
 * ringtrain.worker.data.BatchPlan}, or from the rank's shard — possibly ahead of time. The one
 * place the loop draws training data.
 */
final class MicroBatchSource implements AutoCloseable {
  private final BatchSource input;
  private final int rank;

  MicroBatchSource(BatchSource input, int rank) {
    this.input = input;
    this.rank = rank;
  }

  /** Micro-batch {@code j} of step {@code s} on this rank. */
  DataSet batchFor(long s, int j) {
    return input.next(s, j);
  }

  int rank() {
    return rank;
  }

  /** Nanoseconds spent so far waiting for micro-batches not yet assembled. */
  long waitNanos() {
    return input.waitNanos();
  }

  @Override
  public void close() {
    input.close();
  }
}
