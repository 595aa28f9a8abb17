package ringtrain.worker.model;

/**
 * Told when a layer's backward has finished, i.e. its slice of the flat gradient is final for this
 * micro-batch. Layers finish in reverse order, so a listener can hand finished gradient buckets to
 * the collective while earlier layers are still computing.
 */
@FunctionalInterface
public interface LayerListener {
  void layerDone(int layer);
}
