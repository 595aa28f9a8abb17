package ringtrain.worker.snapshot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * state.json: the scalar part of a {@link TrainingState} with snake_case keys, readable by any JSON
 * tool. The arrays live in .npy files; this file names them and their length.
 */
final class StateJson {
  static final int FORMAT_VERSION = 1;

  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** What state.json holds, before the arrays are loaded. */
  record Header(
      long step,
      long epoch,
      long cursor,
      long seed,
      double lossScale,
      String configHash,
      int worldSize,
      long paramCount,
      List<String> optimizerState,
      long optimizerSteps,
      Map<String, String> extra) {}

  private StateJson() {}

  static byte[] render(TrainingState state) throws IOException {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("format", FORMAT_VERSION);
    root.put("step", state.step());
    root.put("epoch", state.epoch());
    root.put("cursor", state.cursor());
    root.put("seed", state.seed());
    root.put("loss_scale", state.lossScale());
    root.put("config_hash", state.configHash());
    root.put("world_size", state.worldSize());
    root.put("param_count", state.params().length());
    ArrayNode names = root.putArray("optimizer_state");
    state.optimizerState().keySet().forEach(names::add);
    root.put("optimizer_steps", state.optimizerSteps());
    ObjectNode extra = root.putObject("extra");
    state.extra().forEach(extra::put);
    return MAPPER.writeValueAsBytes(root);
  }

  static Header parse(byte[] json) throws IOException {
    JsonNode root = MAPPER.readTree(json);
    int format = required(root, "format").asInt();
    if (format != FORMAT_VERSION) {
      throw new IOException("state.json has format " + format + ", expected " + FORMAT_VERSION);
    }
    List<String> names = new ArrayList<>();
    required(root, "optimizer_state").forEach(n -> names.add(n.asText()));
    Map<String, String> extra = new LinkedHashMap<>();
    JsonNode extraNode = root.path("extra");
    for (Iterator<Map.Entry<String, JsonNode>> it = extraNode.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      extra.put(e.getKey(), e.getValue().asText());
    }
    return new Header(
        required(root, "step").asLong(),
        required(root, "epoch").asLong(),
        required(root, "cursor").asLong(),
        required(root, "seed").asLong(),
        required(root, "loss_scale").asDouble(),
        required(root, "config_hash").asText(),
        required(root, "world_size").asInt(),
        required(root, "param_count").asLong(),
        names,
        required(root, "optimizer_steps").asLong(),
        extra);
  }

  private static JsonNode required(JsonNode root, String key) throws IOException {
    JsonNode node = root.get(key);
    if (node == null || node.isNull()) {
      throw new IOException("state.json has no '" + key + "'");
    }
    return node;
  }
}
