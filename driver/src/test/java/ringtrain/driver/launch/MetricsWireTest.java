package ringtrain.driver.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import ringtrain.common.metrics.EvalMetrics;
import ringtrain.common.metrics.MetricsSink;
import ringtrain.common.metrics.StepMetrics;

class MetricsWireTest {

  /** Records what it receives. */
  private static final class Recorder implements MetricsSink {
    final List<Object> received = new ArrayList<>();

    @Override
    public void onStart(long firstStep) {
      received.add("start " + firstStep);
    }

    @Override
    public void onStep(StepMetrics m) {
      received.add(m);
    }

    @Override
    public void onEval(EvalMetrics m) {
      received.add(m);
    }

    @Override
    public void close() {}
  }

  @Test
  void shouldDeliverStepAndEvalRecordsUnchanged() throws Exception {
    StepMetrics step = new StepMetrics(10, 0, 0.25, 1e-3, Double.NaN, 1.0, 12.5, 3.25, 5120.0);
    EvalMetrics eval = new EvalMetrics(468, 0, 0.43, 0.8459);
    Recorder sink = new Recorder();
    MetricsWire.decodeInto(MetricsWire.encode(step), sink);
    MetricsWire.decodeInto(MetricsWire.encode(eval), sink);
    MetricsWire.decodeInto(MetricsWire.encodeStart(250), sink);
    assertThat(sink.received).containsExactly(step, eval, "start 250");
  }

  @Test
  void shouldIgnoreRecordsOfUnknownKind() throws Exception {
    Recorder sink = new Recorder();
    MetricsWire.decodeInto("{\"kind\":\"future\",\"x\":1}", sink);
    assertThat(sink.received).isEmpty();
  }

  @Test
  void shouldStreamRecordsFromRankZeroToTheDriverSinkOverTcp() throws Exception {
    Recorder sink = new Recorder();
    try (MetricsServer server = new MetricsServer(sink)) {
      try (MetricsStream stream =
          MetricsStream.connect("127.0.0.1", server.port(), java.time.Duration.ofSeconds(5))) {
        for (int s = 1; s <= 3; s++) {
          stream.onStep(new StepMetrics(s, 0, 1.0 / s, 1e-3, 1, 1, 10, 1, 100));
        }
      }
      // The stream may end before the listener has accepted it: wait for what was sent.
      long deadline = System.nanoTime() + java.time.Duration.ofSeconds(5).toNanos();
      while (System.nanoTime() < deadline) {
        synchronized (sink) { // the listener hands records to the sink under its lock
          if (sink.received.size() >= 3) {
            break;
          }
        }
        Thread.sleep(10);
      }
      server.awaitDrained(java.time.Duration.ofSeconds(5));
    }
    assertThat(sink.received).extracting(m -> ((StepMetrics) m).step()).containsExactly(1L, 2L, 3L);
  }
}
