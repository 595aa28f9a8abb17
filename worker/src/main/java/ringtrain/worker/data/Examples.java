package ringtrain.worker.data;

/**
 * Read access to labelled examples by row: what a mini-batch or a test score is assembled from,
 * whether the rows live in a heap array ({@link Dataset}) or in a rank's compact local shard
 * ({@link LocalShard}).
 */
public interface Examples {
  /** Number of examples. */
  int size();

  /** Values per example: the product of {@link #shape()}. */
  int featureCount();

  /** {@code {c, h, w}} for images, {@code {d}} for flat vectors. */
  int[] shape();

  int numClasses();

  /** Copies the features of example {@code row} into {@code dst} from {@code offset}. */
  void copyFeatures(int row, float[] dst, int offset);

  /** The class of example {@code row}. */
  int label(int row);

  /** True when the shape is {@code {c, h, w}}, so the examples can feed a convolution. */
  default boolean isImage() {
    return shape().length == 3;
  }
}
