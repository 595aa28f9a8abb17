package ringtrain.worker.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static ringtrain.worker.optim.Golden.assertClose;
import static ringtrain.worker.optim.Golden.doubles;
import static ringtrain.worker.optim.Golden.floats;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import ringtrain.common.config.OptimConfig;

/**
 * LAMB and LARS, fused, ND4J passes and reference, against {@code large_batch_golden.py}: the
 * papers' algorithms on five blocks, one starting at zero (‖θ‖ = 0), one without gradient (‖g‖ =
 * 0), and bias blocks that take neither decay nor a trust ratio.
 */
class LargeBatchOptimizerGoldenTest {
  private static final String FILE = "large_batch_golden.json";

  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    for (JsonNode c : Golden.json(FILE).get("optim")) {
      for (String impl : List.of("fused", "passes", "reference")) {
        out.add(Arguments.of(c.get("case").asText(), impl, c));
      }
    }
    return out.stream();
  }

  static ParamLayout layout() {
    List<ParamBlock> blocks = new ArrayList<>();
    for (JsonNode b : Golden.json(FILE).get("blocks")) {
      blocks.add(
          new ParamBlock(
              b.get("name").asText(),
              b.get("offset").asLong(),
              b.get("length").asLong(),
              b.get("decay").asBoolean()));
    }
    return new ParamLayout(blocks);
  }

  static Optimizer create(String impl, OptimConfig cfg, ParamLayout layout) {
    boolean lamb = cfg.name() == OptimConfig.Algorithm.LAMB;
    double wd = cfg.weightDecay();
    return switch (impl) {
      case "reference" -> Optimizers.reference(cfg, layout);
      case "fused", "passes" -> {
        boolean fuse = impl.equals("fused");
        yield lamb
            ? new Lamb(layout, cfg.beta1(), cfg.beta2(), cfg.eps(), wd, fuse)
            : new Lars(layout, cfg.momentum(), wd, cfg.trustCoefficient(), fuse);
      }
      default -> throw new IllegalArgumentException(impl);
    };
  }

  @ParameterizedTest(name = "{0} ({1})")
  @MethodSource("cases")
  void shouldFollowThePapersTrajectory(String name, String impl, JsonNode c) {
    JsonNode json = Golden.json(FILE);
    ParamLayout layout = layout();
    Optimizer optimizer = create(impl, OptimizerGoldenTest.config(c.get("optim")), layout);
    INDArray params = Nd4j.create(floats(json.get("params0")), 1, (int) layout.size());
    double[] lrs = doubles(json.get("lrs"));
    for (int s = 0; s < lrs.length; s++) {
      float[] g = floats(json.get("grads").get(s));
      INDArray grad = Nd4j.create(g);
      optimizer.step(params, grad, lrs[s]);
      assertThat(grad.toFloatVector()).as("gradient must not be modified").isEqualTo(g);
      assertClose(
          name + " params after step " + (s + 1),
          params.toFloatVector(),
          doubles(c.get("params_after_step").get(s)));
    }
    for (String key : List.copyOf(optimizer.state().keySet())) {
      assertCloseToScale(
          name + " " + key,
          optimizer.state().get(key).toFloatVector(),
          doubles(c.get("state").get(key)));
    }
  }

  /**
   * Golden's relative tolerance, with a floor at a tenth of the vector's largest value: a moment
   * that six gradients of both signs nearly cancelled keeps the FP32 rounding of its larger terms.
   */
  private static void assertCloseToScale(String what, float[] actual, double[] expected) {
    assertThat(actual).as(what + " length").hasSize(expected.length);
    double scale = 0;
    for (double e : expected) {
      scale = Math.max(scale, Math.abs(e));
    }
    for (int i = 0; i < expected.length; i++) {
      double tol = Math.max(Golden.REL * Math.max(Math.abs(expected[i]), 0.1 * scale), Golden.ABS);
      assertThat(Math.abs(actual[i] - expected[i]))
          .as("%s[%d]: actual %s, expected %s", what, i, actual[i], expected[i])
          .isLessThanOrEqualTo(tol);
    }
  }
}
