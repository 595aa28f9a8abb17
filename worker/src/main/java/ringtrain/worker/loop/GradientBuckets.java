package ringtrain.worker.loop;

import java.util.ArrayList;
import java.util.List;

/**
 * Gradient buckets for overlapped all-reduce, PyTorch DDP style: layers taken in reverse order (the
 * order backward finishes them) and grouped until a bucket holds at least the bucket size. Every
 * bucket is one contiguous range of the flat gradient, because DL4J lays layers out in order. The
 * plan depends only on the network and the bucket size, so it is the same on every rank, and so is
 * the order the buckets are started in.
 */
final class GradientBuckets {

  /** One bucket: layers {@code [firstLayer, lastLayer]}, flat range {@code [from, to)}. */
  record Bucket(int firstLayer, int lastLayer, long from, long to) {}

  private final List<Bucket> buckets;
  private final int[] bucketOfLayer;

  /**
   * @param layerOffsets layer i owns {@code [layerOffsets[i], layerOffsets[i+1])}
   * @param bucketElements minimum floats per bucket
   */
  GradientBuckets(long[] layerOffsets, long bucketElements) {
    int layers = layerOffsets.length - 1;
    List<Bucket> list = new ArrayList<>();
    bucketOfLayer = new int[layers];
    int last = layers - 1;
    for (int i = layers - 1; i >= 0; i--) {
      long size = layerOffsets[last + 1] - layerOffsets[i];
      if (size >= bucketElements || i == 0) {
        list.add(new Bucket(i, last, layerOffsets[i], layerOffsets[last + 1]));
        for (int l = i; l <= last; l++) {
          bucketOfLayer[l] = list.size() - 1;
        }
        last = i - 1;
      }
    }
    this.buckets = List.copyOf(list);
  }

  /** Buckets in the order they are started: the output layer's first. */
  List<Bucket> buckets() {
    return buckets;
  }

  /**
   * The bucket that becomes complete when {@code layer}'s backward finishes, or -1 if the bucket
   * still waits for earlier layers.
   */
  int completedBy(int layer) {
    int b = bucketOfLayer[layer];
    return buckets.get(b).firstLayer() == layer ? b : -1;
  }
}
