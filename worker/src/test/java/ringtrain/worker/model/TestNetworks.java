package ringtrain.worker.model;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** Small user-style DL4J networks for tests, as the JSON {@code toJson()} writes. */
public final class TestNetworks {
  private TestNetworks() {}

  /**
   * A residual ComputationGraph without batch norm: dense → dense, added to its input, twice, then
   * a softmax output. Its own updater (Adam) is there to show that ringtrain ignores it.
   */
  public static String residualGraph(int features, int width, int classes) {
    ComputationGraphConfiguration conf =
        new NeuralNetConfiguration.Builder()
            .seed(1)
            .updater(new Adam(0.1))
            .activation(Activation.TANH)
            .graphBuilder()
            .addInputs("in")
            .setInputTypes(InputType.feedForward(features))
            .addLayer("stem", new DenseLayer.Builder().nOut(width).build(), "in")
            .addLayer("a1", new DenseLayer.Builder().nOut(width).build(), "stem")
            .addVertex("res1", new ElementWiseVertex(ElementWiseVertex.Op.Add), "stem", "a1")
            .addLayer("a2", new DenseLayer.Builder().nOut(width).build(), "res1")
            .addVertex("res2", new ElementWiseVertex(ElementWiseVertex.Op.Add), "res1", "a2")
            .addLayer(
                "out",
                new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                    .nOut(classes)
                    .activation(Activation.SOFTMAX)
                    .build(),
                "res2")
            .setOutputs("out")
            .build();
    return conf.toJson();
  }

  /**
   * A deeper residual ComputationGraph without batch norm: a dense stem, {@code blocks} blocks of a
   * dense layer (with dropout keeping {@code retain}) added to the block's input, a softmax output.
   */
  public static String residualBlocks(
      int features, int width, int blocks, int classes, double retain) {
    var b =
        new NeuralNetConfiguration.Builder()
            .seed(5)
            .activation(Activation.TANH)
            .graphBuilder()
            .addInputs("in")
            .setInputTypes(InputType.feedForward(features))
            .addLayer("stem", new DenseLayer.Builder().nOut(width).build(), "in");
    String previous = "stem";
    for (int i = 1; i <= blocks; i++) {
      b.addLayer("d" + i, new DenseLayer.Builder().nOut(width).dropOut(retain).build(), previous);
      b.addVertex("add" + i, new ElementWiseVertex(ElementWiseVertex.Op.Add), previous, "d" + i);
      previous = "add" + i;
    }
    b.addLayer(
        "out",
        new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
            .nOut(classes)
            .activation(Activation.SOFTMAX)
            .build(),
        previous);
    return b.setOutputs("out").build().toJson();
  }

  /** A ComputationGraph whose first layer is batch norm over the raw features. */
  public static String batchNormGraph(int features, int width, int classes) {
    ComputationGraphConfiguration conf =
        new NeuralNetConfiguration.Builder()
            .seed(1)
            .activation(Activation.RELU)
            .graphBuilder()
            .addInputs("in")
            .setInputTypes(InputType.feedForward(features))
            .addLayer("bn0", new BatchNormalization.Builder().build(), "in")
            .addLayer("d1", new DenseLayer.Builder().nOut(width).build(), "bn0")
            .addLayer("bn1", new BatchNormalization.Builder().build(), "d1")
            .addLayer(
                "out",
                new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                    .nOut(classes)
                    .activation(Activation.SOFTMAX)
                    .build(),
                "bn1")
            .setOutputs("out")
            .build();
    return conf.toJson();
  }
}
