package ringtrain.driver.launch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import ringtrain.common.metrics.EvalMetrics;
import ringtrain.common.metrics.MetricsSink;
import ringtrain.common.metrics.StepMetrics;

/**
 * The line format of the metrics stream from rank 0 to the driver: one JSON object per line, {@code
 * {"kind":"start","step":N}} first, then {@code {"kind":"step",...StepMetrics fields}} or {@code
 * {"kind":"eval",...EvalMetrics fields}}.
 */
final class MetricsWire {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String KIND = "kind";

  private MetricsWire() {}

  static String encode(StepMetrics m) {
    return encode("step", m);
  }

  static String encode(EvalMetrics m) {
    return encode("eval", m);
  }

  /** Training (re)starts at {@code firstStep}: see {@link MetricsSink#onStart}. */
  static String encodeStart(long firstStep) {
    return JSON.createObjectNode().put(KIND, "start").put("step", firstStep).toString();
  }

  private static String encode(String kind, Record m) {
    ObjectNode node = JSON.valueToTree(m);
    node.put(KIND, kind);
    return node.toString();
  }

  /** Parses one line and hands it to {@code sink}; unknown kinds are ignored (newer senders). */
  static void decodeInto(String line, MetricsSink sink) throws JsonProcessingException {
    JsonNode node = JSON.readTree(line);
    String kind = node.path(KIND).asText();
    ((ObjectNode) node).remove(KIND);
    switch (kind) {
      case "step" -> sink.onStep(JSON.treeToValue(node, StepMetrics.class));
      case "eval" -> sink.onEval(JSON.treeToValue(node, EvalMetrics.class));
      case "start" -> sink.onStart(node.path("step").asLong());
      default -> {}
    }
  }
}
