package ringtrain.worker.remat;

import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import ringtrain.worker.model.GradientEngine;
import ringtrain.worker.model.LayerListener;
import ringtrain.worker.precision.LowPrecisionGrid;

/**
 * A {@link GradientEngine} that runs the network's layers (or graph vertices) itself rather than
 * through DL4J's {@code computeGradientAndScore}: what activation recomputation, bucketed overlap
 * and emulated low precision need. Layer i in {@link #layerOffsets()} is the i-th layer in the flat
 * parameter order; backward reports layers in reverse of that order.
 */
public interface LayerwiseEngine extends GradientEngine {

  /** The layer-by-layer engine for {@code network}, a MultiLayerNetwork or a ComputationGraph. */
  static LayerwiseEngine of(Model network, int segments, LowPrecisionGrid grid) {
    if (network instanceof MultiLayerNetwork net) {
      return new LayerEngine(net, segments, grid);
    }
    if (network instanceof ComputationGraph graph) {
      return new GraphLayerEngine(graph, segments, grid);
    }
    throw new IllegalArgumentException(
        "no layer-by-layer engine for a " + network.getClass().getSimpleName());
  }

  /** Hears about every layer whose gradient is final; null for none. */
  void setLayerListener(LayerListener listener);

  /**
   * Offsets of each layer's parameters in the flat vector: layer i owns [offsets[i], offsets[i+1]).
   */
  long[] layerOffsets();

  /** Activation bytes held for backward; its peak covers the last {@link #computeGradient}. */
  ActivationMeter meter();
}
