package ringtrain.worker.data;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;

/** Turns a list of example indices into the ND4J mini-batch a network trains on. */
public final class MiniBatches {
  private MiniBatches() {}

  /**
   * Gathers rows {@code indices} of {@code ds}, in that order.
   *
   * @param asImages features as {@code [b, c, h, w]} (needs an image shape) instead of {@code [b,
   *     d]}
   * @return FLOAT features and one-hot FLOAT labels {@code [b, numClasses]}
   */
  public static DataSet of(Examples ds, int[] indices, boolean asImages) {
    if (asImages && !ds.isImage()) {
      throw new IllegalArgumentException(
          "dataset of shape " + Arrays.toString(ds.shape()) + " is not an image set");
    }
    int b = indices.length;
    int d = ds.featureCount();
    int classes = ds.numClasses();
    float[] x = new float[b * d];
    float[] y = new float[b * classes];
    for (int i = 0; i < b; i++) {
      int row = indices[i];
      ds.copyFeatures(row, x, i * d);
      y[i * classes + ds.label(row)] = 1f;
    }
    long[] xShape;
    if (asImages) {
      int[] s = ds.shape();
      xShape = new long[] {b, s[0], s[1], s[2]};
    } else {
      xShape = new long[] {b, d};
    }
    INDArray features = Nd4j.create(x, xShape, DataType.FLOAT);
    INDArray oneHot = Nd4j.create(y, new long[] {b, classes}, DataType.FLOAT);
    return new DataSet(features, oneHot);
  }
}
