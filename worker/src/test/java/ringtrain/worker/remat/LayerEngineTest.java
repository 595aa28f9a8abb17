package ringtrain.worker.remat;

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
import ringtrain.worker.model.GradientEngine;
import ringtrain.worker.model.NetworkFactory;
import ringtrain.worker.precision.LowPrecisionGrid;

class LayerEngineTest {

  static ModelConfig mlp(double dropout, int depth) {
    return ModelConfig.of(
        ModelKeys.HIDDEN.is(java.util.Collections.nCopies(depth, 24)),
        ModelKeys.DROPOUT.is(dropout));
  }

  static DataSet batch(int rows, int features, int classes, long seed) {
    Nd4j.getRandom().setSeed(seed);
    INDArray x = Nd4j.randn(DataType.FLOAT, rows, features);
    INDArray y = Nd4j.zeros(DataType.FLOAT, rows, classes);
    for (int r = 0; r < rows; r++) {
      y.putScalar(r, (r * 7 + 3) % classes, 1f);
    }
    return new DataSet(x, y);
  }

  /** Runs two micro-batches on {@code engine}, each after seeding the generator like the loop. */
  static float[][] gradients(GradientEngine engine, DataSet... batches) {
    float[][] out = new float[batches.length + 1][];
    double[] losses = new double[batches.length];
    for (int i = 0; i < batches.length; i++) {
      Nd4j.getRandom().setSeed(1000 + i);
      losses[i] = engine.computeGradient(batches[i]);
      out[i] = engine.gradient().dup().data().asFloat();
      // The parameters move between micro-batches, as they would across steps.
      engine.params().subi(engine.gradient().reshape(engine.params().shape()).mul(0.1));
    }
    out[batches.length] = new float[losses.length];
    for (int i = 0; i < losses.length; i++) {
      out[batches.length][i] = (float) losses[i];
    }
    return out;
  }

  @ParameterizedTest(name = "dropout {0}, segments {1}")
  @CsvSource({"0.0, 0", "0.0, -1", "0.0, 3", "0.3, 0", "0.3, -1", "0.3, 2", "0.3, 9"})
  void shouldGiveBitwiseTheGradientsOfThePlainPath(double dropout, int segments) {
    ModelConfig model = mlp(dropout, 8);
    DataSet a = batch(16, 12, 5, 1);
    DataSet b = batch(16, 12, 5, 2);
    MultiLayerNetwork plainNet = NetworkFactory.build(model, new int[] {12}, 5, 7);
    MultiLayerNetwork layerNet = NetworkFactory.build(model, new int[] {12}, 5, 7);

    float[][] plain = gradients(new Dl4jGradientEngine(plainNet), a, b);
    float[][] layered =
        gradients(new LayerEngine(layerNet, segments, LowPrecisionGrid.of(Dtype.FP32)), a, b);

    for (int i = 0; i < plain.length; i++) {
      assertThat(layered[i]).containsExactly(plain[i]);
    }
  }

  @Test
  void shouldGiveBitwiseTheGradientsOfThePlainPathForACnn() {
    ModelConfig cnn =
        ModelConfig.of(
            ModelKeys.TYPE.is(ModelConfig.Type.CNN),
            ModelKeys.HIDDEN.is(List.of(16)),
            ModelKeys.DROPOUT.is(0.2),
            ModelKeys.CNN_CHANNELS.is(List.of(4, 6)));
    int[] shape = {1, 8, 8};
    DataSet a = batch(6, 64, 3, 3);
    a.setFeatures(a.getFeatures().reshape(6, 1, 8, 8));
    float[][] plain = gradients(new Dl4jGradientEngine(NetworkFactory.build(cnn, shape, 3, 5)), a);
    float[][] layered =
        gradients(
            new LayerEngine(
                NetworkFactory.build(cnn, shape, 3, 5), -1, LowPrecisionGrid.of(Dtype.FP32)),
            a);
    assertThat(layered[0]).containsExactly(plain[0]);
    assertThat(layered[1]).containsExactly(plain[1]);
  }

  @Test
  void shouldDrawTheSameDropoutMasksAfterwardsAsThePlainPath() {
    ModelConfig model = mlp(0.5, 6);
    DataSet a = batch(8, 12, 5, 4);
    Nd4j.getRandom().setSeed(99);
    new Dl4jGradientEngine(NetworkFactory.build(model, new int[] {12}, 5, 7)).computeGradient(a);
    double plainNext = Nd4j.getRandom().nextDouble();
    Nd4j.getRandom().setSeed(99);
    new LayerEngine(
            NetworkFactory.build(model, new int[] {12}, 5, 7), 3, LowPrecisionGrid.of(Dtype.FP32))
        .computeGradient(a);
    assertThat(Nd4j.getRandom().nextDouble()).isEqualTo(plainNext);
  }

  @Test
  void shouldHoldOnlyBoundaryAndOneSegmentOfActivations() {
    // 15 hidden layers of width 24 plus the output layer: L = 16, √L = 4 segments of 4 layers.
    ModelConfig model = mlp(0.0, 15);
    DataSet a = batch(10, 24, 5, 5);
    LayerEngine plain =
        new LayerEngine(
            NetworkFactory.build(model, new int[] {24}, 5, 7), 0, LowPrecisionGrid.of(Dtype.FP32));
    LayerEngine remat =
        new LayerEngine(
            NetworkFactory.build(model, new int[] {24}, 5, 7), -1, LowPrecisionGrid.of(Dtype.FP32));
    plain.computeGradient(a);
    remat.computeGradient(a);

    long layerInput = 10 * 24 * 4;
    // Plain: the input of every one of the 16 layers.
    assertThat(plain.meter().peak()).isEqualTo(16 * layerInput);
    // Remat: inputs of segments 0..2 (3 boundaries) plus the 4 inputs of the last segment.
    assertThat(remat.segments().count()).isEqualTo(4);
    assertThat(remat.meter().peak()).isEqualTo(7 * layerInput);
    assertThat(plain.meter().live()).isZero();
    assertThat(remat.meter().live()).isZero();
  }

  @Test
  void shouldCutLayersIntoEvenSegments() {
    assertThat(Segments.of(0, 5).starts()).containsExactly(0, 5);
    assertThat(Segments.of(-1, 33).starts()).containsExactly(0, 5, 11, 16, 22, 27, 33);
    assertThat(Segments.of(-1, 16).starts()).containsExactly(0, 4, 8, 12, 16);
    assertThat(Segments.of(10, 4).starts()).containsExactly(0, 1, 2, 3, 4);
  }
}
