package ringtrain.worker.data;

import java.util.Arrays;

/**
 * An in-memory labelled dataset: features row-major float32, one row per example. The arrays are
 * shared, not copied, so a 60000×784 set costs its 188 MB once; callers must not modify them.
 */
public final class Dataset implements Examples {
  private final float[] features;
  private final int[] labels;
  private final int[] shape;
  private final int numClasses;
  private final int featureCount;

  /**
   * @param features {@code labels.length} rows of {@code product(shape)} values each
   * @param labels class of each example, in {@code [0, numClasses)}
   * @param shape {@code {c, h, w}} for images, {@code {d}} for flat vectors
   * @param numClasses number of classes
   */
  public Dataset(float[] features, int[] labels, int[] shape, int numClasses) {
    long d = 1;
    for (int s : shape) {
      d *= s;
    }
    if (d > Integer.MAX_VALUE || d * labels.length != features.length) {
      throw new IllegalArgumentException(
          "features hold "
              + features.length
              + " values, expected "
              + labels.length
              + " rows × "
              + d
              + " features");
    }
    if (numClasses < 1) {
      throw new IllegalArgumentException("numClasses must be >= 1, got " + numClasses);
    }
    this.features = features;
    this.labels = labels;
    this.shape = shape.clone();
    this.numClasses = numClasses;
    this.featureCount = (int) d;
  }

  /** Number of examples. */
  @Override
  public int size() {
    return labels.length;
  }

  /** Values per example: the product of {@link #shape()}. */
  @Override
  public int featureCount() {
    return featureCount;
  }

  @Override
  public int numClasses() {
    return numClasses;
  }

  /** {@code {c, h, w}} for images, {@code {d}} for flat vectors. */
  @Override
  public int[] shape() {
    return shape.clone();
  }

  /** True when the shape is {@code {c, h, w}}, so the examples can feed a convolution. */
  @Override
  public boolean isImage() {
    return shape.length == 3;
  }

  @Override
  public void copyFeatures(int row, float[] dst, int offset) {
    System.arraycopy(features, row * featureCount, dst, offset, featureCount);
  }

  @Override
  public int label(int row) {
    return labels[row];
  }

  /** The backing row-major feature array (not a copy). */
  public float[] features() {
    return features;
  }

  /** The backing label array (not a copy). */
  public int[] labels() {
    return labels;
  }

  /** The first {@code n} examples (all of them when {@code n >= size()}). */
  public Dataset head(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("n must be >= 0, got " + n);
    }
    if (n >= size()) {
      return this;
    }
    int d = featureCount();
    return new Dataset(Arrays.copyOf(features, n * d), Arrays.copyOf(labels, n), shape, numClasses);
  }

  /** The same examples seen with another shape of the same size (e.g. flat to {c, h, w}). */
  public Dataset withShape(int[] newShape) {
    return new Dataset(features, labels, newShape, numClasses);
  }

  /** The same labels with other features of the same shape (used by normalization). */
  Dataset withFeatures(float[] newFeatures) {
    return new Dataset(newFeatures, labels, shape, numClasses);
  }

  @Override
  public String toString() {
    return "Dataset[" + size() + " × " + Arrays.toString(shape) + ", " + numClasses + " classes]";
  }
}
