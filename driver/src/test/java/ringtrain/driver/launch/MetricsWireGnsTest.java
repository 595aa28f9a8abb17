package ringtrain.driver.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import ringtrain.common.metrics.EvalMetrics;
import ringtrain.common.metrics.GnsMetrics;
import ringtrain.common.metrics.MetricsSink;
import ringtrain.common.metrics.StepMetrics;

/** The gradient noise scale reaches the driver from a rank on Spark unchanged, NaN included. */
class MetricsWireGnsTest {
  @Test
  void shouldDeliverTheNoiseScaleOfAStep() throws Exception {
    GnsMetrics gns = new GnsMetrics(32, 512, 2.5, 0.5, -0.1, 68.27, -0.01, 70.1, Double.NaN);
    StepMetrics step = new StepMetrics(3, 0, 0.25, 1e-3, 1.5, 1.0, 12.5, 3.25, 5120, 9, 0, 0, gns);
    List<StepMetrics> received = new ArrayList<>();
    MetricsSink sink =
        new MetricsSink() {
          @Override
          public void onStep(StepMetrics m) {
            received.add(m);
          }

          @Override
          public void onEval(EvalMetrics m) {}

          @Override
          public void close() {}
        };
    MetricsWire.decodeInto(MetricsWire.encode(step), sink);
    MetricsWire.decodeInto(
        MetricsWire.encode(new StepMetrics(4, 0, 0.2, 1e-3, 1, 1, 10, 3, 5000)), sink);
    assertThat(received.get(0)).isEqualTo(step);
    assertThat(received.get(1).gns()).isNull();
  }
}
