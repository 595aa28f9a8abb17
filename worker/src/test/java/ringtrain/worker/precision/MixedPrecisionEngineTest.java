package ringtrain.worker.precision;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import ringtrain.common.config.ModelConfig;
import ringtrain.common.config.key.ModelKeys;
import ringtrain.common.numeric.Dtype;
import ringtrain.worker.model.NetworkFactory;

class MixedPrecisionEngineTest {
  private static final ModelConfig MODEL = ModelConfig.of(ModelKeys.HIDDEN.is(List.of(16, 8)));

  private static DataSet batch() {
    Nd4j.getRandom().setSeed(3);
    INDArray x = Nd4j.randn(DataType.FLOAT, 8, 10);
    INDArray y = Nd4j.zeros(DataType.FLOAT, 8, 3);
    for (int r = 0; r < 8; r++) {
      y.putScalar(r, r % 3, 1f);
    }
    return new DataSet(x, y);
  }

  @Test
  void shouldKeepFp32MasterWeightsAndARoundedComputeCopy() {
    MultiLayerNetwork master = NetworkFactory.build(MODEL, new int[] {10}, 3, 1);
    float[] initial = master.params().dup().data().asFloat();
    MixedPrecisionEngine engine = new MixedPrecisionEngine(master, Dtype.BF16, false, 0);

    // A tiny update is below bf16 resolution: the master keeps it, the compute copy cannot.
    engine.params().addi(1e-6);
    engine.paramsUpdated();
    float[] masterNow = engine.params().data().asFloat();
    float[] compute = engine.computeEngine().params().data().asFloat();
    LowPrecisionGrid bf16 = LowPrecisionGrid.of(Dtype.BF16);
    for (int i = 0; i < masterNow.length; i++) {
      assertThat(masterNow[i]).isEqualTo(initial[i] + 1e-6f);
      assertThat(compute[i]).isEqualTo(bf16.round(masterNow[i]));
    }
    assertThat(engine.params().dataType()).isEqualTo(DataType.FLOAT);
  }

  @Test
  void shouldOverflowToInfinityInFp16WhenTheLossScaleIsTooLarge() {
    MixedPrecisionEngine engine =
        new MixedPrecisionEngine(
            NetworkFactory.build(MODEL, new int[] {10}, 3, 1), Dtype.FP16, false, 0);
    engine.setLossScale(0x1p4);
    engine.computeGradient(batch());
    INDArray scaled = engine.gradient().dup();
    assertThat(Double.isFinite(scaled.sumNumber().doubleValue())).isTrue();

    engine.setLossScale(0x1p40);
    engine.computeGradient(batch());
    float[] overflowed = engine.gradient().data().asFloat();
    long infinite = 0;
    for (float v : overflowed) {
      if (Float.isInfinite(v)) {
        infinite++;
      }
    }
    assertThat(infinite).isPositive();
    // Scaling by a power of two is exact: 2^4-scaled fp16 gradients unscale to the fp16 grid.
    engine.setLossScale(1.0);
    engine.computeGradient(batch());
    INDArray unscaled = engine.gradient().dup();
    assertThat(scaled.div(0x1p4).sub(unscaled).norm2Number().doubleValue())
        .isLessThan(1e-2 * unscaled.norm2Number().doubleValue());
  }
}
