package ringtrain.worker.data;

import org.nd4j.linalg.dataset.DataSet;

/**
 * A {@link BatchSource} that assembles each micro-batch when asked, from rows chosen by a plan: the
 * global order of {@link BatchPlan} (placement replicate) or the rank's {@link ShardOrder}. All of
 * its time is input wait.
 */
public final class PlannedBatches implements BatchSource {
  /** Rows of one micro-batch. */
  @FunctionalInterface
  public interface Rows {
    int[] of(long step, int micro);
  }

  private final Examples examples;
  private final Rows rows;
  private final boolean images;
  private long waitNanos;

  /**
   * @param images features as {@code [b, c, h, w]} instead of {@code [b, d]}
   */
  public PlannedBatches(Examples examples, Rows rows, boolean images) {
    this.examples = examples;
    this.rows = rows;
    this.images = images;
  }

  /** The rows of {@code batches} for rank {@code rank}, in the global order. */
  public static PlannedBatches replicated(
      Examples examples, BatchPlan batches, int rank, boolean images) {
    return new PlannedBatches(examples, (s, j) -> batches.indices(s, rank, j), images);
  }

  /** The rows of {@code order} in this rank's own shard. */
  public static PlannedBatches sharded(Examples shard, ShardOrder order, boolean images) {
    return new PlannedBatches(shard, order::indices, images);
  }

  /** Assembles micro-batch {@code micro} of step {@code step} now, without counting the time. */
  DataSet assemble(long step, int micro) {
    return MiniBatches.of(examples, rows.of(step, micro), images);
  }

  @Override
  public DataSet next(long step, int micro) {
    long t = System.nanoTime();
    DataSet batch = assemble(step, micro);
    waitNanos += System.nanoTime() - t;
    return batch;
  }

  @Override
  public long waitNanos() {
    return waitNanos;
  }

  @Override
  public void close() {}
}
