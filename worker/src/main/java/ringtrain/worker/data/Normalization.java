package ringtrain.worker.data;

import ringtrain.common.config.DataConfig.Normalize;

/**
 * Feature normalization. Statistics come from the training set only and are applied to both sets,
 * so the test set is transformed exactly as the model saw its training inputs.
 */
final class Normalization {
  private static final float PIXEL_MAX = 255f;

  private Normalization() {}

  /**
   * Applies {@code mode} (never {@code AUTO}) to fresh copies of the features.
   *
   * @return the normalized pair; the inputs are left unchanged
   */
  static TrainTest apply(Normalize mode, TrainTest data) {
    return switch (mode) {
      case NONE -> data;
      case SCALE -> new TrainTest(scale(data.train()), scale(data.test()));
      case STANDARD -> standardize(data);
      case AUTO -> throw new IllegalArgumentException("resolve AUTO before normalizing");
    };
  }

  private static Dataset scale(Dataset ds) {
    float[] x = ds.features();
    float[] out = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = x[i] / PIXEL_MAX;
    }
    return ds.withFeatures(out);
  }

  /** Per-feature zero mean and unit (population) variance; a constant feature keeps std 1. */
  private static TrainTest standardize(TrainTest data) {
    Dataset train = data.train();
    int n = train.size();
    int d = train.featureCount();
    float[] x = train.features();
    double[] mean = new double[d];
    for (int r = 0; r < n; r++) {
      int row = r * d;
      for (int f = 0; f < d; f++) {
        mean[f] += x[row + f];
      }
    }
    for (int f = 0; f < d; f++) {
      mean[f] /= Math.max(n, 1);
    }
    // Two passes rather than E[x²]−E[x]², which cancels badly when the mean is large.
    double[] var = new double[d];
    for (int r = 0; r < n; r++) {
      int row = r * d;
      for (int f = 0; f < d; f++) {
        double dx = x[row + f] - mean[f];
        var[f] += dx * dx;
      }
    }
    double[] std = new double[d];
    for (int f = 0; f < d; f++) {
      double s = Math.sqrt(var[f] / Math.max(n, 1));
      std[f] = s == 0 ? 1 : s;
    }
    return new TrainTest(shift(train, mean, std), shift(data.test(), mean, std));
  }

  private static Dataset shift(Dataset ds, double[] mean, double[] std) {
    int d = mean.length;
    float[] x = ds.features();
    float[] out = new float[x.length];
    for (int row = 0; row < x.length; row += d) {
      for (int f = 0; f < d; f++) {
        out[row + f] = (float) ((x[row + f] - mean[f]) / std[f]);
      }
    }
    return ds.withFeatures(out);
  }
}
