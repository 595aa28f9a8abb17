package ringtrain.driver.metrics;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import ringtrain.common.error.UserException;
import ringtrain.common.metrics.EvalMetrics;
import ringtrain.common.metrics.GnsMetrics;
import ringtrain.common.metrics.MetricsSink;
import ringtrain.common.metrics.StepMetrics;

/**
 * metrics.jsonl: one JSON object per line, {@code "type":"step"} with the keys of DESIGN.md §11
 * (and a {@code "gns"} object where the gradient noise scale is estimated) or {@code "type":"eval"}
 * with test_loss and test_accuracy. Every line is flushed as it is written, so a crash keeps
 * everything logged before it.
 *
 * <p>Non-finite numbers (the gradient norm of a skipped fp16 step, a diverged loss) are written as
 * {@code null}, which every JSON reader accepts, and read back as NaN.
 */
public final class MetricsJsonl implements MetricsSink {
  static final String TYPE = "type";
  static final String STEP_TYPE = "step";
  static final String EVAL_TYPE = "eval";

  /**
   * Key of the gradient noise scale object of a step line (fields of {@link GnsMetrics} in
   * snake_case); absent where the run does not estimate it.
   */
  static final String GNS = "gns";

  /** Time a step waited for its input; left out of lines that did not measure it. */
  static final String INPUT_WAIT = "input_wait_ms";

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final Path file;
  private BufferedWriter out;

  /** The highest step this instance has written, -1 before the first. */
  private long lastStepWritten = -1;

  private MetricsJsonl(Path file, BufferedWriter out) {
    this.file = file;
    this.out = out;
  }

  /** Starts a fresh metrics.jsonl, replacing any existing file. */
  public static MetricsJsonl create(Path file) {
    return new MetricsJsonl(file, writer(file, StandardOpenOption.TRUNCATE_EXISTING));
  }

  /**
   * Continues the metrics.jsonl of a run that resumes at {@code resumeStep}: lines with step &gt;=
   * resumeStep (logged after the snapshot by the attempt that died) and lines cut off by a crash
   * are dropped first, so every step appears once.
   */
  public static MetricsJsonl resume(Path file, long resumeStep) {
    if (Files.exists(file)) {
      dropFrom(file, resumeStep);
    }
    return new MetricsJsonl(file, writer(file, StandardOpenOption.APPEND));
  }

  /**
   * A stage attempt starts at {@code firstStep}: lines this run wrote for that step or later, by an
   * attempt that died after its last snapshot, are dropped before the new attempt logs them again.
   */
  @Override
  public void onStart(long firstStep) {
    if (lastStepWritten < firstStep) {
      return;
    }
    try {
      out.close();
    } catch (IOException e) {
      throw cannotWrite(file, e);
    }
    dropFrom(file, firstStep);
    out = writer(file, StandardOpenOption.APPEND);
    lastStepWritten = firstStep - 1;
  }

  /** Rewrites {@code file} without the lines of step {@code >= step} and cut-off lines. */
  private static void dropFrom(Path file, long step) {
    try {
      List<String> kept = new ArrayList<>();
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        Optional<JsonNode> node = parse(line);
        if (node.isPresent() && node.get().path(STEP_TYPE).asLong(Long.MAX_VALUE) < step) {
          kept.add(line);
        }
      }
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.write(tmp, kept, StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw cannotWrite(file, e);
    }
  }

  /** Reads every complete record; a line cut off by a crash is skipped. */
  public static MetricsLog read(Path file) {
    List<StepMetrics> steps = new ArrayList<>();
    List<EvalMetrics> evals = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        Optional<JsonNode> parsed = parse(line);
        if (parsed.isEmpty()) {
          continue;
        }
        JsonNode n = parsed.get();
        if (STEP_TYPE.equals(n.path(TYPE).asText())) {
          steps.add(
              new StepMetrics(
                  n.path("step").asLong(),
                  n.path("epoch").asLong(),
                  number(n, "loss"),
                  number(n, "lr"),
                  number(n, "grad_norm"),
                  number(n, "loss_scale"),
                  number(n, "step_ms"),
                  number(n, "comm_ms"),
                  number(n, "examples_per_s"),
                  number(n, "compute_ms"),
                  number(n, "overlap_ms"),
                  n.path("skipped_steps").asLong(),
                  gns(n.get(GNS)),
                  number(n, INPUT_WAIT)));
        } else if (EVAL_TYPE.equals(n.path(TYPE).asText())) {
          evals.add(
              new EvalMetrics(
                  n.path("step").asLong(),
                  n.path("epoch").asLong(),
                  number(n, "test_loss"),
                  number(n, "test_accuracy")));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    return new MetricsLog(steps, evals);
  }

  public Path file() {
    return file;
  }

  @Override
  public void onStep(StepMetrics m) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put(TYPE, STEP_TYPE);
    n.put("step", m.step());
    n.put("epoch", m.epoch());
    put(n, "loss", m.loss());
    put(n, "lr", m.lr());
    put(n, "grad_norm", m.gradNorm());
    put(n, "loss_scale", m.lossScale());
    put(n, "step_ms", m.stepMs());
    put(n, "comm_ms", m.commMs());
    put(n, "examples_per_s", m.examplesPerS());
    put(n, "compute_ms", m.computeMs());
    put(n, "overlap_ms", m.overlapMs());
    n.put("skipped_steps", m.skippedSteps());
    if (!Double.isNaN(m.inputWaitMs())) {
      put(n, INPUT_WAIT, m.inputWaitMs());
    }
    if (m.gns() != null) {
      GnsMetrics g = m.gns();
      ObjectNode o = n.putObject(GNS);
      o.put("small_batch", g.smallBatch());
      o.put("big_batch", g.bigBatch());
      put(o, "small_sq", g.smallSq());
      put(o, "big_sq", g.bigSq());
      put(o, "grad_sq", g.gradSq());
      put(o, "trace", g.trace());
      put(o, "grad_sq_ema", g.gradSqEma());
      put(o, "trace_ema", g.traceEma());
      put(o, "b_simple", g.bSimple());
    }
    writeLine(n, m.step());
  }

  @Override
  public void onEval(EvalMetrics m) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put(TYPE, EVAL_TYPE);
    n.put("step", m.step());
    n.put("epoch", m.epoch());
    put(n, "test_loss", m.testLoss());
    put(n, "test_accuracy", m.testAccuracy());
    writeLine(n, m.step());
  }

  @Override
  public void close() {
    try {
      out.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot close " + file, e);
    }
  }

  private void writeLine(ObjectNode node, long step) {
    try {
      out.write(MAPPER.writeValueAsString(node));
      out.write('\n');
      out.flush();
      lastStepWritten = Math.max(lastStepWritten, step);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append to " + file, e);
    }
  }

  private static BufferedWriter writer(Path file, StandardOpenOption mode) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      return Files.newBufferedWriter(
          file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.WRITE, mode);
    } catch (IOException e) {
      throw cannotWrite(file, e);
    }
  }

  private static UserException cannotWrite(Path file, IOException e) {
    return new UserException(
        "cannot write " + file + " (" + e.getMessage() + "); choose a writable --out directory", e);
  }

  private static void put(ObjectNode node, String key, double value) {
    if (Double.isFinite(value)) {
      node.put(key, value);
    } else {
      node.putNull(key);
    }
  }

  /** The {@code gns} object of a step line, or null when the line has none. */
  private static GnsMetrics gns(JsonNode o) {
    if (o == null || !o.isObject()) {
      return null;
    }
    return new GnsMetrics(
        o.path("small_batch").asLong(),
        o.path("big_batch").asLong(),
        number(o, "small_sq"),
        number(o, "big_sq"),
        number(o, "grad_sq"),
        number(o, "trace"),
        number(o, "grad_sq_ema"),
        number(o, "trace_ema"),
        number(o, "b_simple"));
  }

  private static double number(JsonNode node, String key) {
    JsonNode value = node.get(key);
    return value == null || !value.isNumber() ? Double.NaN : value.asDouble();
  }

  private static Optional<JsonNode> parse(String line) {
    if (line.isBlank()) {
      return Optional.empty();
    }
    try {
      JsonNode node = MAPPER.readTree(line);
      return node != null && node.isObject() && node.has(STEP_TYPE)
          ? Optional.of(node)
          : Optional.empty();
    } catch (JsonProcessingException e) {
      return Optional.empty();
    }
  }
}
