package ringtrain.worker.model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import ringtrain.worker.optim.ParamLayout;

/**
 * What a rank trains: one seam over DL4J's {@link MultiLayerNetwork} and {@link ComputationGraph}
 * (DESIGN.md §12). It owns the flat FP32 parameter vector in DL4J's own order (so {@code
 * params.npy} and {@code model.zip} agree), forward/backward into the flat gradient, scoring, the
 * order of its layers or vertices, the role table and saving as a {@code ModelSerializer} zip.
 */
public interface TrainableModel {

  /** Wraps a DL4J network (initialized) without copying it. */
  static TrainableModel of(Model network) {
    if (network instanceof MultiLayerNetwork net) {
      return new MultiLayerModel(net);
    }
    if (network instanceof ComputationGraph graph) {
      return new GraphModel(graph);
    }
    throw new IllegalArgumentException(
        "ringtrain trains a MultiLayerNetwork or a ComputationGraph, not a "
            + network.getClass().getSimpleName());
  }

  /** Flat FP32 parameters, shape {@code [1, P]}; writing it changes the network. */
  INDArray params();

  default long numParams() {
    return params().length();
  }

  /**
   * Forward and backward on {@code batch} in training mode.
   *
   * @return the mean loss over the micro-batch; the gradient is then in {@link #gradient()}
   */
  double computeGradient(DataSet batch);

  /**
   * Flat FP32 gradient of the last {@link #computeGradient}, laid out like {@link #params()}: the
   * gradient of the loss <em>summed</em> over the micro-batch, DL4J's own convention.
   */
  INDArray gradient();

  /** The network's output (class probabilities) for {@code features}, in inference mode. */
  INDArray output(INDArray features);

  /** Names, offsets and roles of the tensors in {@link #params()}. */
  ParamLayout layout();

  /** Layer indices (as names) or vertex names, in the order their parameters are laid out. */
  List<String> order();

  /** Whether the network takes images {@code [n, c, h, w]} rather than flat feature rows. */
  boolean imageInput();

  /** The network's configuration JSON, as DL4J's {@code toJson()} writes it. */
  String configJson();

  /** The DL4J network itself. */
  Model network();

  /** Writes a {@code ModelSerializer} zip (no updater state: ringtrain's optimizer is its own). */
  void save(Path file) throws IOException;
}
