package ringtrain.worker.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import ringtrain.common.config.ModelConfig;
import ringtrain.common.config.key.ModelKeys;

/**
 * DL4J's backward leaves the gradient of the loss summed over the micro-batch (its updater divides
 * by the batch size, which ringtrain bypasses). The engines keep that convention and the training
 * loop divides once; this test pins the convention down, so a change in DL4J or in an engine cannot
 * silently turn the mean-loss gradient into a sum again.
 */
class GradientScaleTest {

  @Test
  void shouldReturnTheSummedLossGradientAndTheMeanLoss() {
    ModelConfig model =
        ModelConfig.of(
            ModelKeys.HIDDEN.is(List.of(8)), ModelKeys.ACTIVATION.is(ModelConfig.Activation.TANH));
    MultiLayerNetwork net = NetworkFactory.build(model, new int[] {5}, 3, 1);
    Dl4jGradientEngine engine = new Dl4jGradientEngine(net);
    INDArray x = Nd4j.createFromArray(new float[][] {{0.1f, -0.2f, 0.3f, 0.5f, -1f}});
    INDArray y = Nd4j.createFromArray(new float[][] {{0f, 1f, 0f}});

    double lossOne = engine.computeGradient(new DataSet(x, y));
    INDArray gradOne = engine.gradient().dup();
    double lossTwo =
        engine.computeGradient(new DataSet(Nd4j.concat(0, x, x), Nd4j.concat(0, y, y)));
    INDArray gradTwo = engine.gradient().dup();

    assertThat(lossTwo).isCloseTo(lossOne, org.assertj.core.data.Offset.offset(1e-6));
    double ratio = gradTwo.norm2Number().doubleValue() / gradOne.norm2Number().doubleValue();
    assertThat(ratio).isCloseTo(2.0, org.assertj.core.data.Offset.offset(1e-5));
  }
}
