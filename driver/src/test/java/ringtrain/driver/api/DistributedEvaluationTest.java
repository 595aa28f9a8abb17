package ringtrain.driver.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.eval.Evaluation;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import ringtrain.worker.data.Dataset;
import ringtrain.worker.data.MiniBatches;

/**
 * Scoring in slices over N ranks (here without Spark) counts exactly what DL4J's own single-process
 * {@code Evaluation} counts, for a test set that does not divide evenly.
 */
class DistributedEvaluationTest {
  @Test
  void shouldCountLikeDl4jForAnyWorldSize() {
    int n = 103;
    int d = 12;
    Random random = new Random(7);
    float[] x = new float[n * d];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      y[i] = random.nextInt(4);
      for (int j = 0; j < d; j++) {
        x[i * d + j] = (float) random.nextGaussian() + (j % 4 == y[i] ? 1f : 0f);
      }
    }
    Dataset test = new Dataset(x, y, new int[] {d}, 4);
    MultiLayerNetwork net =
        new MultiLayerNetwork(
            new NeuralNetConfiguration.Builder()
                .seed(3)
                .list()
                .layer(new DenseLayer.Builder().nOut(8).activation(Activation.TANH).build())
                .layer(
                    new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .nOut(4)
                        .activation(Activation.SOFTMAX)
                        .build())
                .setInputType(InputType.feedForward(d))
                .build());
    net.init();

    int[] all = new int[n];
    for (int i = 0; i < n; i++) {
      all[i] = i;
    }
    DataSet whole = MiniBatches.of(test, all, false);
    List<DataSet> batches = new ArrayList<>();
    for (DataSet one : whole.asList()) {
      batches.add(one);
    }
    Evaluation dl4j = net.evaluate(new ListDataSetIterator<>(batches, 10));
    double dl4jLoss = net.score(whole, false);
    // A 4-class guess is right about a quarter of the time: the count is not trivially n or 0.
    assertThat(dl4j.accuracy()).isBetween(0.05, 0.95);

    for (int world : new int[] {1, 2, 3, 7}) {
      EvalReport r = DistributedEvaluation.run(net, test, world, null);
      assertThat(r.examples()).as("world %d", world).isEqualTo(n);
      assertThat(r.accuracy()).as("world %d", world).isEqualTo(dl4j.accuracy());
      assertThat(r.loss())
          .as("world %d", world)
          .isCloseTo(dl4jLoss, org.assertj.core.data.Offset.offset(1e-5));
    }
  }
}
