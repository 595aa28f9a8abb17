package ringtrain.worker.model;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import ringtrain.worker.optim.ParamLayout;

/**
 * The whole-network engine: DL4J's own forward and backward over a {@link TrainableModel}
 * (MultiLayerNetwork or ComputationGraph), with the gradient left in DL4J's flat gradient view (no
 * copy).
 */
public final class Dl4jGradientEngine implements GradientEngine {
  private final TrainableModel model;

  public Dl4jGradientEngine(TrainableModel model) {
    this.model = model;
  }

  public Dl4jGradientEngine(MultiLayerNetwork net) {
    this(new MultiLayerModel(net));
  }

  @Override
  public double computeGradient(DataSet batch) {
    return model.computeGradient(batch);
  }

  @Override
  public INDArray gradient() {
    return model.gradient();
  }

  @Override
  public INDArray params() {
    return model.params();
  }

  @Override
  public ParamLayout layout() {
    return model.layout();
  }

  public TrainableModel model() {
    return model;
  }
}
