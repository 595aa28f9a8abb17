package ringtrain.worker.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static ringtrain.worker.optim.Golden.assertClose;
import static ringtrain.worker.optim.Golden.doubles;
import static ringtrain.worker.optim.Golden.floats;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Clipping against the NumPy transcription of torch.nn.utils.clip_grad_norm_ and clamp. */
class GradientClippingTest {

  static List<JsonNode> normCases() {
    return Golden.cases("clip_norm");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("normCases")
  void shouldClipByGlobalNormLikePytorch(JsonNode c) {
    INDArray grad = Nd4j.create(floats(c.get("grad")));
    double norm = GradientClipping.clipByGlobalNorm(grad, c.get("max_norm").asDouble());
    assertClose(c.get("case").asText() + " norm", norm, c.get("norm").asDouble());
    assertClose(c.get("case").asText(), grad.toFloatVector(), doubles(c.get("clipped")));
  }

  @Test
  void shouldClipWhenNormExceedsMaxAndReportPreClipNorm() {
    INDArray grad = Nd4j.create(new float[] {3f, 4f});
    assertThat(GradientClipping.clipByGlobalNorm(grad, 1.0)).isEqualTo(5.0);
    assertThat(grad.norm2Number().doubleValue())
        .isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-6));
  }

  @Test
  void shouldClipByValue() {
    JsonNode c = Golden.cases("clip_value").get(0);
    INDArray grad = Nd4j.create(floats(c.get("grad")));
    GradientClipping.clipByValue(grad, c.get("clip_value").asDouble());
    assertClose("clip by value", grad.toFloatVector(), doubles(c.get("clipped")));
  }

  @Test
  void shouldLeaveGradientAloneWhenValueClippingIsOff() {
    INDArray grad = Nd4j.create(new float[] {-7f, 0.5f, 30f});
    GradientClipping.clipByValue(grad, 0);
    assertThat(grad.toFloatVector()).containsExactly(-7f, 0.5f, 30f);
  }
}
