package ringtrain.worker.optim;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import ringtrain.common.config.OptimConfig;

/** The fast optimizers track the reference loops over many steps on a larger, uneven layout. */
class FastVersusReferenceTest {
  private static final ParamLayout LAYOUT =
      new ParamLayout(
          List.of(
              new ParamBlock("0_W", 0, 700, true),
              new ParamBlock("0_b", 700, 35, false),
              new ParamBlock("empty", 735, 0, true),
              new ParamBlock("1_W", 735, 350, true),
              new ParamBlock("1_b", 1085, 10, false)));

  @ParameterizedTest
  @EnumSource(OptimConfig.Algorithm.class)
  void shouldMatchReferenceOverTwentySteps(OptimConfig.Algorithm algorithm) {
    OptimConfig cfg =
        OptimizerGoldenTest.optim(
            algorithm.toString(),
            Map.of(
                "optim.weight_decay",
                0.05,
                "optim.nesterov",
                algorithm == OptimConfig.Algorithm.MOMENTUM));
    Optimizer fast = Optimizers.create(cfg, LAYOUT);
    Optimizer reference = Optimizers.reference(cfg, LAYOUT);
    Random random = new Random(7);
    int n = (int) LAYOUT.size();
    float[] p0 = new float[n];
    for (int i = 0; i < n; i++) {
      p0[i] = (float) (random.nextGaussian() * 0.1);
    }
    INDArray pFast = Nd4j.create(p0);
    INDArray pRef = Nd4j.create(p0);
    for (int s = 0; s < 20; s++) {
      float[] g = new float[n];
      for (int i = 0; i < n; i++) {
        g[i] = (float) (random.nextGaussian() * (i % 7 == 0 ? 0.001 : 1.0));
      }
      INDArray grad = Nd4j.create(g);
      double lr = 0.01 * (1 + s % 3);
      fast.step(pFast, grad, lr);
      reference.step(pRef, grad, lr);
    }
    assertCloseArrays(algorithm + " params", pFast.toFloatVector(), pRef.toFloatVector());
    for (String name : reference.state().keySet()) {
      assertCloseArrays(
          algorithm + " " + name,
          fast.state().get(name).toFloatVector(),
          reference.state().get(name).toFloatVector());
    }
  }

  /**
   * Twenty steps of FP32 rounding in different orders: 1e-5 relative, with a floor at a tenth of
   * the vector's largest value, since sums that cancel keep the rounding of their larger terms.
   */
  private static void assertCloseArrays(String what, float[] actual, float[] expected) {
    double scale = 0;
    for (float e : expected) {
      scale = Math.max(scale, Math.abs(e));
    }
    for (int i = 0; i < expected.length; i++) {
      assertThat((double) Math.abs(actual[i] - expected[i]))
          .as("%s[%d]: %s vs %s", what, i, actual[i], expected[i])
          .isLessThanOrEqualTo(1e-5 * Math.max(Math.abs(expected[i]), 0.1 * scale));
    }
  }

  @ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(booleans = {true, false})
  void shouldFuseTheAdamPassesWithoutChangingTheResult(boolean decoupled) {
    Random random = new Random(3);
    int n = (int) LAYOUT.size();
    INDArray fusedParams =
        Nd4j.randn(random.nextLong(), new long[] {n})
            .castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT);
    INDArray passParams = fusedParams.dup();
    INDArray start = fusedParams.dup();
    AdamW fused = new AdamW(LAYOUT, decoupled, 0.9, 0.999, 1e-8, 0.05, true);
    AdamW passes = new AdamW(LAYOUT, decoupled, 0.9, 0.999, 1e-8, 0.05, false);
    for (int s = 0; s < 30; s++) {
      float[] g = new float[n];
      for (int i = 0; i < n; i++) {
        g[i] = (float) (random.nextGaussian() * (i % 5 == 0 ? 1e-4 : 1.0));
      }
      INDArray grad = Nd4j.create(g);
      fused.step(fusedParams, grad, 0.003 * (1 + s % 4));
      passes.step(passParams, grad, 0.003 * (1 + s % 4));
    }
    // The same FP32 operations in the same order; only a fused multiply-add inside BLAS axpy may
    // round differently, by an ulp or so per step.
    float[] a = fusedParams.toFloatVector();
    float[] b = passParams.toFloatVector();
    for (int i = 0; i < n; i++) {
      assertThat(a[i])
          .as("param %d", i)
          .isCloseTo(b[i], org.assertj.core.data.Offset.offset(1e-6f));
    }
    assertThat(fusedParams.sub(start).amaxNumber().doubleValue())
        .as("the parameters moved")
        .isGreaterThan(1e-2);
  }

  /** A block longer than the fused kernels' staging chunk, and one bias block, both uneven. */
  private static final ParamLayout LONG_LAYOUT =
      new ParamLayout(
          List.of(
              new ParamBlock("0_W", 0, 5003, true),
              new ParamBlock("0_b", 5003, 61, false),
              new ParamBlock("1_W", 5064, 2100, true)));

  @ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"lamb", "lars"})
  void shouldFuseTheLargeBatchOptimizersWithoutChangingTheResult(String name) {
    Random random = new Random(11);
    int n = (int) LONG_LAYOUT.size();
    float[] p0 = new float[n];
    for (int i = 0; i < n; i++) {
      p0[i] = (float) (random.nextGaussian() * 0.05);
    }
    INDArray fusedParams = Nd4j.create(p0);
    INDArray passParams = Nd4j.create(p0);
    Optimizer fused =
        name.equals("lamb")
            ? new Lamb(LONG_LAYOUT, 0.9, 0.999, 1e-6, 0.05, true)
            : new Lars(LONG_LAYOUT, 0.9, 0.05, 0.01, true);
    Optimizer passes =
        name.equals("lamb")
            ? new Lamb(LONG_LAYOUT, 0.9, 0.999, 1e-6, 0.05, false)
            : new Lars(LONG_LAYOUT, 0.9, 0.05, 0.01, false);
    for (int s = 0; s < 25; s++) {
      float[] g = new float[n];
      for (int i = 0; i < n; i++) {
        g[i] = (float) (random.nextGaussian() * (i % 5 == 0 ? 1e-3 : 1.0));
      }
      INDArray grad = Nd4j.create(g);
      fused.step(fusedParams, grad, 0.01 * (1 + s % 4));
      passes.step(passParams, grad, 0.01 * (1 + s % 4));
    }
    assertCloseArrays(name + " params", fusedParams.toFloatVector(), passParams.toFloatVector());
    for (String key : passes.state().keySet()) {
      assertCloseArrays(
          name + " " + key,
          fused.state().get(key).toFloatVector(),
          passes.state().get(key).toFloatVector());
    }
    assertThat(fusedParams.sub(Nd4j.create(p0)).amaxNumber().doubleValue())
        .as("the parameters moved")
        .isGreaterThan(1e-3);
  }
}
