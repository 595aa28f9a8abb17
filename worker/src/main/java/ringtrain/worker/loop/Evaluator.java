package ringtrain.worker.loop;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import ringtrain.common.metrics.EvalMetrics;
import ringtrain.common.metrics.MetricsSink;
import ringtrain.worker.comm.Collective;
import ringtrain.worker.comm.ReduceOp;
import ringtrain.worker.data.Examples;
import ringtrain.worker.ddp.GradientBuffer;
import ringtrain.worker.model.TrainableModel;

/**
 * Test-set evaluation of all ranks together: every rank scores its slice of the test set (or, with
 * placement shard, its whole test shard), one all-reduce sums the correct count, the loss sum and
 * the example count, rank 0 reports. The counts are whole numbers below 2^24, so their FP32 sum is
 * exact: the accuracy equals that of one process scoring the whole set.
 */
final class Evaluator {
  private final TrainableModel model;
  private final Examples test;
  private final boolean sharded;
  private final boolean images;
  private final Collective comm;
  private final MetricsSink sink;

  /**
   * @param test the whole test set, or with {@code sharded} this rank's shard of it
   */
  Evaluator(
      TrainableModel model,
      Examples test,
      boolean sharded,
      boolean images,
      Collective comm,
      MetricsSink sink) {
    this.model = model;
    this.test = test;
    this.sharded = sharded;
    this.images = images;
    this.comm = comm;
    this.sink = sink;
  }

  EvalMetrics evaluate(long step, long epoch) {
    int n = test.size();
    int from = sharded ? 0 : (int) ((long) n * comm.rank() / comm.worldSize());
    int to = sharded ? n : (int) ((long) n * (comm.rank() + 1) / comm.worldSize());
    INDArray totals = Nd4j.createFromArray(TestSetScorer.score(model, test, images, from, to));
    if (comm.worldSize() > 1) {
      comm.allReduce(GradientBuffer.buffer(totals), ReduceOp.SUM, evalTag(step));
    }
    double count = totals.getDouble(2);
    EvalMetrics eval =
        new EvalMetrics(step, epoch, totals.getDouble(1) / count, totals.getDouble(0) / count);
    if (comm.rank() == 0) {
      sink.onEval(eval);
    }
    return eval;
  }

  /** Evaluation collectives use negative tags, so they never collide with a step's. */
  static long evalTag(long step) {
    return -1 - step;
  }
}
