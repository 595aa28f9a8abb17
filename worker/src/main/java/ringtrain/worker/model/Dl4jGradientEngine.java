package ringtrain.worker.model;

import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import ringtrain.worker.optim.ParamLayout;

/**
 * The whole-network engine: DL4J's own forward and backward over a {@link MultiLayerNetwork}, with
 * the gradient left in DL4J's flat gradient view (no copy).
 */
public final class Dl4jGradientEngine implements GradientEngine {
  private final MultiLayerNetwork net;
  private final ParamLayout layout;

  public Dl4jGradientEngine(MultiLayerNetwork net) {
    this.net = net;
    this.layout = NetworkFactory.layout(net);
  }

  @Override
  public double computeGradient(DataSet batch) {
    net.setInput(batch.getFeatures());
    net.setLabels(batch.getLabels());
    net.computeGradientAndScore();
    return net.score();
  }

  @Override
  public INDArray gradient() {
    return net.getFlattenedGradients();
  }

  @Override
  public INDArray params() {
    return net.params();
  }

  @Override
  public ParamLayout layout() {
    return layout;
  }

  public MultiLayerNetwork network() {
    return net;
  }
}
