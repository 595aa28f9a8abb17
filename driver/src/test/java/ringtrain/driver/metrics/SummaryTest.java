package ringtrain.driver.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SummaryTest {
  @TempDir Path dir;

  @Test
  void shouldWriteTheContractKeysWithTheirValues() throws Exception {
    Path file = dir.resolve("summary.json");
    new Summary(
            "mnist-mlp",
            0.9812,
            0.0634,
            0.0411,
            1875,
            4,
            256,
            4e-3,
            92.5,
            5190.2,
            List.of(0L, 250L))
        .write(file);

    JsonNode json = new ObjectMapper().readTree(file.toFile());
    List<String> keys = new ArrayList<>();
    json.fieldNames().forEachRemaining(keys::add);
    assertThat(keys)
        .containsExactly(
            "run_name",
            "test_accuracy",
            "test_loss",
            "train_loss",
            "steps",
            "world_size",
            "global_batch",
            "peak_lr",
            "wall_s",
            "examples_per_s",
            "start_steps");
    assertThat(json.get("run_name").asText()).isEqualTo("mnist-mlp");
    assertThat(json.get("test_accuracy").asDouble()).isEqualTo(0.9812);
    assertThat(json.get("steps").isIntegralNumber()).isTrue();
    assertThat(json.get("steps").asLong()).isEqualTo(1875);
    assertThat(json.get("world_size").asInt()).isEqualTo(4);
    assertThat(json.get("global_batch").asLong()).isEqualTo(256);
    assertThat(json.get("peak_lr").asDouble()).isEqualTo(4e-3);
    assertThat(json.get("wall_s").asDouble()).isEqualTo(92.5);
    assertThat(json.get("examples_per_s").asDouble()).isEqualTo(5190.2);
    assertThat(json.get("start_steps").get(1).isIntegralNumber()).isTrue();
    assertThat(json.get("start_steps").toString()).isEqualTo("[0,250]");
  }

  @Test
  void shouldRoundTripAndWriteMissingTestMetricsAsNull() throws Exception {
    Path file = dir.resolve("summary.json");
    Summary summary =
        new Summary(
            "no-test", Double.NaN, Double.NaN, 0.5, 10, 1, 32, 1e-3, 1.5, 213.3, List.of(0L));

    summary.write(file);

    JsonNode json = new ObjectMapper().readTree(file.toFile());
    assertThat(json.get("test_accuracy").isNull()).isTrue();
    assertThat(json.get("test_loss").isNull()).isTrue();
    assertThat(Summary.read(file)).isEqualTo(summary);
    assertThat(dir.resolve("summary.json.tmp")).doesNotExist();
  }
}
