package ringtrain.driver.run;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** A small user-style DL4J network for driver tests, as the JSON {@code toJson()} writes. */
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
   * A graph whose hidden layer is frozen: DL4J gives it no backward, so ringtrain's
   * vertex-by-vertex engine refuses it.
   */
  public static String frozenGraph(int features, int width, int classes) {
    return new NeuralNetConfiguration.Builder()
        .seed(1)
        .graphBuilder()
        .addInputs("in")
        .setInputTypes(InputType.feedForward(features))
        .addLayer(
            "features",
            new org.deeplearning4j.nn.conf.layers.misc.FrozenLayer(
                new DenseLayer.Builder().nIn(features).nOut(width).build()),
            "in")
        .addLayer(
            "out",
            new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                .nOut(classes)
                .activation(Activation.SOFTMAX)
                .build(),
            "features")
        .setOutputs("out")
        .build()
        .toJson();
  }
}
