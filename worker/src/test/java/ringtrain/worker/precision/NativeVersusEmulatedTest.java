package ringtrain.worker.precision;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import ringtrain.common.config.ModelConfig;
import ringtrain.common.config.key.ModelKeys;
import ringtrain.common.numeric.Dtype;
import ringtrain.worker.model.Dl4jGradientEngine;
import ringtrain.worker.model.NetworkFactory;

/**
 * The CPU emulation against ND4J's own HALF/BFLOAT16 kernels on a small MLP. The two round at the
 * same tensor boundaries but not inside a layer (native kernels may keep pre-activations in low
 * precision, emulation keeps them in FP32), so they agree to within the low-precision error itself.
 * The documented bound: relative L2 distance of the gradients at most {@code 4 · 2^-p ·
 * sqrt(depth)}-ish, taken here as 1e-2 for fp16 (p = 11) and 6e-2 for bf16 (p = 8), and no worse
 * than 2x the distance of either to the FP32 gradient plus that bound's tenth — i.e. the emulation
 * is as close to native as low precision is to FP32.
 */
class NativeVersusEmulatedTest {

  private static double relative(INDArray a, INDArray b) {
    return a.sub(b).norm2Number().doubleValue() / b.norm2Number().doubleValue();
  }

  private static final ModelConfig MODEL = ModelConfig.of(ModelKeys.HIDDEN.is(List.of(64, 32)));

  private static DataSet batch() {
    Nd4j.getRandom().setSeed(5);
    INDArray x = Nd4j.rand(DataType.FLOAT, 32, 20);
    INDArray y = Nd4j.zeros(DataType.FLOAT, 32, 4);
    for (int r = 0; r < 32; r++) {
      y.putScalar(r, r % 4, 1f);
    }
    return new DataSet(x, y);
  }

  /**
   * ND4J's CPU backend has no BFLOAT16 backward kernels (relu_bp, tanh_bp fail), so on CPU bf16 is
   * compared on the forward pass: the loss of the native BFLOAT16 network against the emulated
   * one's, within 1e-2 relative (bf16 has 8 significant bits: 2^-8 ≈ 4e-3 per rounding).
   */
  @Test
  void shouldAgreeWithNativeBf16OnTheLoss() {
    DataSet batch = batch();
    MultiLayerNetwork master = NetworkFactory.build(MODEL, new int[] {20}, 4, 3);
    MultiLayerNetwork nativeNet = master.convertDataType(DataType.BFLOAT16);
    double nativeLoss =
        nativeNet.score(
            new DataSet(
                batch.getFeatures().castTo(DataType.BFLOAT16),
                batch.getLabels().castTo(DataType.BFLOAT16)));
    double emulatedLoss =
        new MixedPrecisionEngine(master, Dtype.BF16, false, 0).computeGradient(batch);
    double fp32Loss =
        new Dl4jGradientEngine(NetworkFactory.build(MODEL, new int[] {20}, 4, 3))
            .computeGradient(batch);
    System.out.printf(
        "BF16 loss: emulated %.6f native %.6f fp32 %.6f%n", emulatedLoss, nativeLoss, fp32Loss);
    assertThat(Math.abs(emulatedLoss - nativeLoss) / nativeLoss).isLessThan(1e-2);
    assertThat(emulatedLoss).isNotEqualTo(fp32Loss);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"FP16, 0.01, 0.002"})
  void shouldAgreeWithNativeLowPrecisionWithinTheBound(
      Dtype precision, double bound, double lossBound) {
    ModelConfig model = MODEL;
    Nd4j.getRandom().setSeed(5);
    INDArray x = Nd4j.rand(DataType.FLOAT, 32, 20);
    INDArray y = Nd4j.zeros(DataType.FLOAT, 32, 4);
    for (int r = 0; r < 32; r++) {
      y.putScalar(r, r % 4, 1f);
    }
    DataSet batch = new DataSet(x, y);

    MultiLayerNetwork fp32Net = NetworkFactory.build(model, new int[] {20}, 4, 3);
    Dl4jGradientEngine fp32 = new Dl4jGradientEngine(fp32Net);
    double fp32Loss = fp32.computeGradient(batch);
    INDArray reference = fp32.gradient().dup();

    MixedPrecisionEngine emulated =
        new MixedPrecisionEngine(
            NetworkFactory.build(model, new int[] {20}, 4, 3), precision, false, 0);
    MixedPrecisionEngine nativeTypes =
        new MixedPrecisionEngine(
            NetworkFactory.build(model, new int[] {20}, 4, 3), precision, true, 0);
    double emulatedLoss = emulated.computeGradient(batch);
    double nativeLoss = nativeTypes.computeGradient(batch);
    INDArray e = emulated.gradient().dup();
    INDArray n = nativeTypes.gradient().dup().reshape(e.shape());

    double emulatedVsNative = relative(e, n);
    double emulatedVsFp32 = relative(e, reference);
    double nativeVsFp32 = relative(n, reference);
    System.out.printf(
        "%s: |emu-native|/|native| %.3g, |emu-fp32| %.3g, |native-fp32| %.3g, loss %.6f %.6f %.6f%n",
        precision,
        emulatedVsNative,
        emulatedVsFp32,
        nativeVsFp32,
        emulatedLoss,
        nativeLoss,
        fp32Loss);

    assertThat(n.dataType()).isEqualTo(DataType.FLOAT);
    assertThat(emulatedVsNative).isLessThan(bound);
    assertThat(Math.abs(emulatedLoss - nativeLoss)).isLessThan(lossBound);
    // The emulation really is low precision: it differs from FP32.
    assertThat(emulatedVsFp32).isGreaterThan(bound / 100);
  }
}
