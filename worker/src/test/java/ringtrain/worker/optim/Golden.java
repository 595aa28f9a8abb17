package ringtrain.worker.optim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import ringtrain.common.config.ConfigReader;

/**
 * The golden values of {@code golden/optim_golden.py} (an independent NumPy transcription of the
 * PyTorch formulas; its output is committed as {@code optim_golden.json}), plus the reference
 * config the test configs are layered on.
 */
public final class Golden {
  /** Relative tolerance of FP32 results against the float64 golden values. */
  public static final double REL = 1e-6;

  /** Absolute floor, for values that are zero or nearly so. */
  public static final double ABS = 1e-9;

  private static final java.util.Map<String, JsonNode> FILES = new java.util.HashMap<>();

  private Golden() {}

  /** The parsed {@code optim_golden.json}. */
  public static JsonNode json() {
    return json("optim_golden.json");
  }

  /** The parsed golden file {@code golden/NAME} (e.g. {@code large_batch_golden.json}). */
  public static synchronized JsonNode json(String name) {
    return FILES.computeIfAbsent(
        name,
        n -> {
          try (InputStream in = Golden.class.getResourceAsStream("/golden/" + n)) {
            return new ObjectMapper().readTree(in);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        });
  }

  /** {@code conf/reference.conf} with {@code overrides} on top. */
  public static ConfigReader config(Map<String, ?> overrides) {
    Config reference = ConfigFactory.parseFile(new File("../conf/reference.conf"));
    return new ConfigReader(ConfigFactory.parseMap(overrides).withFallback(reference).resolve());
  }

  public static float[] floats(JsonNode array) {
    float[] out = new float[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) array.get(i).asDouble();
    }
    return out;
  }

  public static double[] doubles(JsonNode array) {
    double[] out = new double[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asDouble();
    }
    return out;
  }

  /** The named entries of a JSON list of cases, as JUnit arguments. */
  public static List<JsonNode> cases(String section) {
    List<JsonNode> out = new ArrayList<>();
    json().get(section).forEach(out::add);
    return out;
  }

  public static void assertClose(String what, double actual, double expected) {
    double tol = Math.max(REL * Math.abs(expected), ABS);
    assertThat(Math.abs(actual - expected))
        .as("%s: actual %s, expected %s", what, actual, expected)
        .isLessThanOrEqualTo(tol);
  }

  public static void assertClose(String what, float[] actual, double[] expected) {
    assertThat(actual).as(what + " length").hasSize(expected.length);
    for (int i = 0; i < expected.length; i++) {
      assertClose(what + "[" + i + "]", actual[i], expected[i]);
    }
  }
}
