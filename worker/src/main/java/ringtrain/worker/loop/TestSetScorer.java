package ringtrain.worker.loop;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.ops.transforms.Transforms;
import ringtrain.worker.data.Examples;
import ringtrain.worker.data.MiniBatches;
import ringtrain.worker.model.TrainableModel;

/** Scores a network on a range of a test set: correct predictions and summed cross-entropy. */
public final class TestSetScorer {
  private static final int BATCH = 1000;

  /** Floor of the true-class probability, so log(0) stays finite (as DL4J's MCXENT clips). */
  private static final double MIN_PROB = 1e-10;

  private TestSetScorer() {}

  /**
   * Sums over examples {@code [from, to)} of {@code test}.
   *
   * @return {correct, loss sum, count}
   */
  public static float[] score(
      TrainableModel model, Examples test, boolean images, int from, int to) {
    double correct = 0;
    double lossSum = 0;
    for (int lo = from; lo < to; lo += BATCH) {
      int hi = Math.min(to, lo + BATCH);
      int[] idx = new int[hi - lo];
      for (int i = 0; i < idx.length; i++) {
        idx[i] = lo + i;
      }
      DataSet batch = MiniBatches.of(test, idx, images);
      INDArray probs = model.output(batch.getFeatures());
      INDArray labels = batch.getLabels();
      correct +=
          probs.argMax(1).eq(labels.argMax(1)).castTo(DataType.FLOAT).sumNumber().doubleValue();
      INDArray trueProb = probs.mul(labels).sum(1);
      lossSum -=
          Transforms.log(Transforms.max(trueProb, MIN_PROB, false), false)
              .sumNumber()
              .doubleValue();
    }
    return new float[] {(float) correct, (float) lossSum, (float) (to - from)};
  }
}
