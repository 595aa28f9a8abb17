package ringtrain.worker.loop;

import org.nd4j.linalg.dataset.DataSet;
import ringtrain.worker.data.BatchPlan;
import ringtrain.worker.data.Dataset;
import ringtrain.worker.data.MiniBatches;

/**
 * Where a rank's micro-batches come from: micro-batch j of step s is the examples {@link BatchPlan}
 * assigns to (s, rank, j), shaped as images when the network takes images. The one place the loop
 * draws training data.
 */
final class MicroBatchSource {
  private final Dataset train;
  private final BatchPlan batches;
  private final int rank;
  private final boolean images;

  MicroBatchSource(Dataset train, BatchPlan batches, int rank, boolean images) {
    this.train = train;
    this.batches = batches;
    this.rank = rank;
    this.images = images;
  }

  /** Micro-batch {@code j} of step {@code s} on this rank. */
  DataSet batchFor(long s, int j) {
    return MiniBatches.of(train, batches.indices(s, rank, j), images);
  }

  int rank() {
    return rank;
  }
}
