package ringtrain.worker.model;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import ringtrain.worker.optim.ParamLayout;

/**
 * A {@link TrainableModel} over a single-input, single-output {@link ComputationGraph}: its layer
 * vertices in DL4J's topological order (the order of the flat parameter vector), named by vertex.
 */
public final class GraphModel implements TrainableModel {
  private final ComputationGraph graph;
  private final ParamLayout layout;
  private final List<String> order;

  public GraphModel(ComputationGraph graph) {
    if (graph.getNumInputArrays() != 1 || graph.getNumOutputArrays() != 1) {
      throw new IllegalArgumentException(
          "the ComputationGraph has "
              + graph.getNumInputArrays()
              + " inputs and "
              + graph.getNumOutputArrays()
              + " outputs; ringtrain trains graphs with one input and one output");
    }
    this.graph = graph;
    Layer[] layers = graph.getLayers();
    List<String> names = new ArrayList<>();
    for (Layer layer : layers) {
      names.add(layer.conf().getLayer().getLayerName());
    }
    this.order = List.copyOf(names);
    this.layout = ParamRoles.of(graph.params(), layers, order);
  }

  @Override
  public INDArray params() {
    return graph.params();
  }

  @Override
  public double computeGradient(DataSet batch) {
    graph.setInputs(batch.getFeatures());
    graph.setLabels(batch.getLabels());
    graph.computeGradientAndScore();
    return graph.score();
  }

  @Override
  public INDArray gradient() {
    return graph.getFlattenedGradients();
  }

  @Override
  public INDArray output(INDArray features) {
    return graph.outputSingle(false, features);
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
    ComputationGraphConfiguration conf = graph.getConfiguration();
    // The first layer vertex fed by the input decides, as for a MultiLayerNetwork.
    String input = conf.getNetworkInputs().get(0);
    for (var entry : conf.getVertexInputs().entrySet()) {
      if (entry.getValue().contains(input)) {
        GraphVertex vertex = conf.getVertices().get(entry.getKey());
        if (vertex instanceof LayerVertex lv) {
          if (lv.getPreProcessor() != null) {
            return InputKinds.takesImages(lv.getPreProcessor());
          }
          return InputKinds.takesImages(lv.getLayerConf().getLayer());
        }
      }
    }
    return false;
  }

  @Override
  public String configJson() {
    return graph.getConfiguration().toJson();
  }

  @Override
  public ComputationGraph network() {
    return graph;
  }

  @Override
  public void save(Path file) throws IOException {
    ModelSerializer.writeModel(graph, file.toFile(), false);
  }
}
