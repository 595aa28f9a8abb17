package ringtrain.driver.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** The Java API trains the caller's own network object and hands it back trained. */
class TrainerTest {
  @TempDir Path tmp;

  private Trainer trainer(String name) {
    return Trainer.local()
        .set("data.format", "synthetic")
        .set("data.synthetic.train_examples", 256)
        .set("data.synthetic.test_examples", 64)
        .set("data.synthetic.features", 20)
        .set("train.micro_batch", 32)
        .set("train.world_size", 2)
        .set("train.steps", 4)
        .set("schedule.warmup_steps", 1)
        .out(tmp.resolve(name))
        .build();
  }

  @Test
  void shouldFitAMultiLayerNetworkInPlace() throws Exception {
    MultiLayerNetwork net =
        new MultiLayerNetwork(
            new NeuralNetConfiguration.Builder()
                .seed(3)
                .list()
                .layer(new DenseLayer.Builder().nOut(16).activation(Activation.RELU).build())
                .layer(
                    new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .nOut(10)
                        .activation(Activation.SOFTMAX)
                        .build())
                .setInputType(InputType.feedForward(20))
                .build());
    net.init();
    INDArray before = net.params().dup();

    FitResult<MultiLayerNetwork> fit = trainer("mln").fit(net);

    assertThat(fit.network()).isSameAs(net);
    assertThat(fit.report().steps()).isEqualTo(4);
    assertThat(net.params().sub(before).amaxNumber().doubleValue()).isGreaterThan(1e-4);
    MultiLayerNetwork saved =
        ModelSerializer.restoreMultiLayerNetwork(
            fit.report().runDirectory().resolve("model.zip").toFile());
    assertThat(saved.params().data().asFloat()).containsExactly(net.params().data().asFloat());
  }

  @Test
  void shouldStartAComputationGraphFromItsOwnParameters() {
    ComputationGraphConfiguration conf =
        new NeuralNetConfiguration.Builder()
            .seed(4)
            .graphBuilder()
            .addInputs("in")
            .setInputTypes(InputType.feedForward(20))
            .addLayer("d", new DenseLayer.Builder().nOut(8).build(), "in")
            .addLayer(
                "out",
                new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                    .nOut(10)
                    .activation(Activation.SOFTMAX)
                    .build(),
                "d")
            .setOutputs("out")
            .build();
    ComputationGraph graph = new ComputationGraph(conf);
    graph.init();
    graph.params().assign(0.01);
    INDArray start = graph.params().dup();

    // lr = 0 and no decay: nothing moves, so the result is exactly the caller's start point.
    Trainer frozen =
        Trainer.local()
            .set("data.format", "synthetic")
            .set("data.synthetic.features", 20)
            .set("data.synthetic.train_examples", 128)
            .set("train.micro_batch", 32)
            .set("train.steps", 2)
            .set("optim.lr", 0)
            .out(tmp.resolve("cg"))
            .build();
    FitResult<ComputationGraph> fit = frozen.fit(graph);
    assertThat(graph.params().data().asFloat()).containsExactly(start.data().asFloat());
    assertThat(fit.report().testAccuracy()).isBetween(0.0, 1.0);
  }
}
