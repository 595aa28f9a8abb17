package ringtrain.worker.model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import ringtrain.worker.optim.ParamLayout;

/** A {@link TrainableModel} over a {@link MultiLayerNetwork}: layers in order, named by index. */
public final class MultiLayerModel implements TrainableModel {
  private final MultiLayerNetwork net;
  private final ParamLayout layout;
  private final List<String> order;

  public MultiLayerModel(MultiLayerNetwork net) {
    this.net = net;
    Layer[] layers = net.getLayers();
    List<String> names = new ArrayList<>();
    for (int i = 0; i < layers.length; i++) {
      names.add(Integer.toString(i));
    }
    this.order = List.copyOf(names);
    this.layout = ParamRoles.of(net.params(), layers, order);
  }

  @Override
  public INDArray params() {
    return net.params();
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
  public INDArray output(INDArray features) {
    return net.output(features, false);
  }

  @Override
  public ParamLayout layout() {
    return layout;
  }

  @Override
  public List<String> order() {
    return order;
  }

  @Override
  public boolean imageInput() {
    InputPreProcessor first = net.getLayerWiseConfigurations().getInputPreProcess(0);
    if (first != null) {
      return InputKinds.takesImages(first);
    }
    return InputKinds.takesImages(net.getLayerWiseConfigurations().getConf(0).getLayer());
  }

  @Override
  public String configJson() {
    return net.getLayerWiseConfigurations().toJson();
  }

  @Override
  public MultiLayerNetwork network() {
    return net;
  }

  @Override
  public void save(Path file) throws IOException {
    ModelSerializer.writeModel(net, file.toFile(), false);
  }
}
