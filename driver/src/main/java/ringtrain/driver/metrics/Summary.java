package ringtrain.driver.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import ringtrain.common.error.UserException;

/**
 * summary.json: the result of one run (DESIGN.md §11). Test metrics are NaN, written as {@code
 * null}, when the run had no test set.
 *
 * @param runName name of the run (the --out directory's name unless configured)
 * @param testAccuracy final test accuracy in [0, 1]
 * @param testLoss final mean test loss
 * @param trainLoss training loss of the last step
 * @param steps optimizer steps done
 * @param worldSize number of ranks N
 * @param globalBatch global batch B = N·b·k
 * @param peakLr peak learning rate after batch scaling
 * @param wallS wall time of the training in seconds
 * @param examplesPerS training examples per second over the run
 * @param startSteps the step each attempt of the training started at, in order: {@code [0]} for an
 *     uninterrupted run; a run resumed with --resume, or retried after a lost rank, lists the
 *     snapshot step each later attempt went on from
 * @param bSimple the gradient noise scale B_simple of the last step that had one (McCandlish et al.
 *     2018); NaN, and no b_simple key in the file, where it was not estimated
 */
public record Summary(
    String runName,
    double testAccuracy,
    double testLoss,
    double trainLoss,
    long steps,
    int worldSize,
    long globalBatch,
    double peakLr,
    double wallS,
    double examplesPerS,
    List<Long> startSteps,
    double bSimple) {

  public Summary {
    startSteps = List.copyOf(startSteps);
  }

  /** A summary without a gradient noise scale. */
  public Summary(
      String runName,
      double testAccuracy,
      double testLoss,
      double trainLoss,
      long steps,
      int worldSize,
      long globalBatch,
      double peakLr,
      double wallS,
      double examplesPerS,
      List<Long> startSteps) {
    this(
        runName,
        testAccuracy,
        testLoss,
        trainLoss,
        steps,
        worldSize,
        globalBatch,
        peakLr,
        wallS,
        examplesPerS,
        startSteps,
        Double.NaN);
  }

  /** This summary with B_simple set. */
  public Summary withBSimple(double value) {
    return new Summary(
        runName,
        testAccuracy,
        testLoss,
        trainLoss,
        steps,
        worldSize,
        globalBatch,
        peakLr,
        wallS,
        examplesPerS,
        startSteps,
        value);
  }

  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** Writes summary.json through a temporary file, so a reader never sees half of it. */
  public void write(Path file) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("run_name", runName);
    put(n, "test_accuracy", testAccuracy);
    put(n, "test_loss", testLoss);
    put(n, "train_loss", trainLoss);
    n.put("steps", steps);
    n.put("world_size", worldSize);
    n.put("global_batch", globalBatch);
    put(n, "peak_lr", peakLr);
    put(n, "wall_s", wallS);
    put(n, "examples_per_s", examplesPerS);
    startSteps.forEach(n.putArray("start_steps")::add);
    if (Double.isFinite(bSimple)) {
      n.put("b_simple", bSimple);
    }
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.write(tmp, MAPPER.writeValueAsBytes(n));
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UserException(
          "cannot write " + file + " (" + e.getMessage() + "); choose a writable --out directory",
          e);
    }
  }

  public static Summary read(Path file) {
    try {
      JsonNode n = MAPPER.readTree(file.toFile());
      return new Summary(
          n.path("run_name").asText(),
          number(n, "test_accuracy"),
          number(n, "test_loss"),
          number(n, "train_loss"),
          n.path("steps").asLong(),
          n.path("world_size").asInt(),
          n.path("global_batch").asLong(),
          number(n, "peak_lr"),
          number(n, "wall_s"),
          number(n, "examples_per_s"),
          longs(n.path("start_steps")),
          number(n, "b_simple"));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  private static List<Long> longs(JsonNode array) {
    List<Long> values = new ArrayList<>();
    array.forEach(v -> values.add(v.asLong()));
    return values;
  }

  private static void put(ObjectNode node, String key, double value) {
    if (Double.isFinite(value)) {
      node.put(key, value);
    } else {
      node.putNull(key);
    }
  }

  private static double number(JsonNode node, String key) {
    JsonNode value = node.get(key);
    return value == null || !value.isNumber() ? Double.NaN : value.asDouble();
  }
}
