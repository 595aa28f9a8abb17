package ringtrain.worker.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static ringtrain.worker.optim.Golden.assertClose;
import static ringtrain.worker.optim.Golden.doubles;
import static ringtrain.worker.optim.Golden.floats;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import ringtrain.common.config.OptimConfig;

/** Every optimizer, fast and reference, against the NumPy golden trajectories. */
class OptimizerGoldenTest {

  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    for (JsonNode c : Golden.cases("optim")) {
      out.add(Arguments.of(c.get("case").asText(), "fast", c));
      out.add(Arguments.of(c.get("case").asText(), "reference", c));
    }
    return out.stream();
  }

  static ParamLayout layout() {
    List<ParamBlock> blocks = new ArrayList<>();
    for (JsonNode b : Golden.json().get("blocks")) {
      blocks.add(
          new ParamBlock(
              b.get("name").asText(),
              b.get("offset").asLong(),
              b.get("length").asLong(),
              b.get("decay").asBoolean()));
    }
    return new ParamLayout(blocks);
  }

  static OptimConfig config(JsonNode hyper) {
    Map<String, Object> keys = new HashMap<>();
    hyper
        .fields()
        .forEachRemaining(
            e -> {
              JsonNode v = e.getValue();
              keys.put(
                  "optim." + e.getKey(),
                  v.isTextual() ? v.asText() : v.isBoolean() ? v.asBoolean() : v.asDouble());
            });
    return OptimConfig.from(Golden.config(keys));
  }

  static BiFunction<OptimConfig, ParamLayout, Optimizer> factory(String impl) {
    return impl.equals("fast") ? Optimizers::create : Optimizers::reference;
  }

  @ParameterizedTest(name = "{0} ({1})")
  @MethodSource("cases")
  void shouldFollowGoldenTrajectory(String name, String impl, JsonNode c) {
    JsonNode json = Golden.json();
    Optimizer optimizer = factory(impl).apply(config(c.get("optim")), layout());
    // [1, n] like DL4J's flat parameter row, to check the update lands in the caller's array.
    INDArray params = Nd4j.create(floats(json.get("params0")), 1, 9);
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
    assertThat(optimizer.stepCount()).isEqualTo(lrs.length);
    List<String> expectedNames = new ArrayList<>();
    c.get("state").fieldNames().forEachRemaining(expectedNames::add);
    assertThat(optimizer.state().keySet()).containsExactlyElementsOf(expectedNames);
    for (String key : expectedNames) {
      assertClose(
          name + " " + key,
          optimizer.state().get(key).toFloatVector(),
          doubles(c.get("state").get(key)));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("implementations")
  void shouldMakeAdamWWithoutDecayEqualAdamWithoutDecay(String impl) {
    JsonNode json = Golden.json();
    Map<String, Object> noDecay = Map.of("optim.weight_decay", 0.0);
    Optimizer adamw = factory(impl).apply(optim("adamw", noDecay), layout());
    Optimizer adam = factory(impl).apply(optim("adam", noDecay), layout());
    INDArray p1 = Nd4j.create(floats(json.get("params0")));
    INDArray p2 = p1.dup();
    double[] lrs = doubles(json.get("lrs"));
    for (int s = 0; s < lrs.length; s++) {
      INDArray grad = Nd4j.create(floats(json.get("grads").get(s)));
      adamw.step(p1, grad, lrs[s]);
      adam.step(p2, grad, lrs[s]);
    }
    assertThat(p1.toFloatVector()).isEqualTo(p2.toFloatVector());
    assertThat(adamw.state().get("adam_v").toFloatVector())
        .isEqualTo(adam.state().get("adam_v").toFloatVector());
  }

  static Stream<String> implementations() {
    return Stream.of("fast", "reference");
  }

  static OptimConfig optim(String name, Map<String, Object> more) {
    Map<String, Object> keys = new HashMap<>(more);
    keys.put("optim.name", name);
    return OptimConfig.from(Golden.config(keys));
  }
}
