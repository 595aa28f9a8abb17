package ringtrain.bench.allreduce;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ringtrain bench allreduce} end to end with real rank processes and media drivers: the
 * multi-host path (a rank bound to another address, started through the launcher) and its answers
 * to bad arguments.
 */
class AllReduceBenchmarkIT {
  @TempDir Path results;

  @Test
  void ranksOnGivenHostsBindThereAndReduceExactly() throws IOException {
    // 127.0.0.2 is not "this machine" to the benchmark, so rank 1 starts through the launcher;
    // sh -c parses its command line as ssh's remote shell would.
    int code =
        AllReduceBenchmark.run(
            new String[] {
              "--hosts", "127.0.0.1,127.0.0.2",
              "--launcher", "sh -c",
              "--min", "4096",
              "--max", "65536",
              "--dtype", "fp32,bf16",
              "--iters", "3",
              "--warmup", "1",
              "--spark-max", "0",
              "--results", results.toString()
            });

    assertThat(code).isZero();
    JsonNode json = new ObjectMapper().readTree(onlyResult().toFile());
    assertThat(json.get("world").asInt()).isEqualTo(2);
    assertThat(json.get("endpoints").get(0).asText()).startsWith("127.0.0.1:");
    assertThat(json.get("endpoints").get(1).asText()).startsWith("127.0.0.2:");
    assertThat(json.get("transport").asText()).contains("UDP between 127.0.0.1,127.0.0.2");
    JsonNode rows = json.get("allreduce");
    assertThat(rows).hasSize(5 * 2); // 4 KiB .. 64 KiB, two types
    for (JsonNode row : rows) {
      assertThat(row.get("wrong").asLong()).as("row %s", row).isZero();
      assertThat(row.get("busbw_gbs").asDouble()).as("row %s", row).isPositive();
    }
    assertThat(json.has("tree_aggregate")).isFalse();
    assertThat(json.get("p2p_bidirectional_per_direction_gbs").asDouble()).isPositive();
  }

  @Test
  void badArgumentsGetOneLineAndExitCodeTwo() {
    List<String[]> cases =
        List.of(
            new String[] {"--hosts", "127.0.0.1"},
            new String[] {"--world", "3", "--hosts", "127.0.0.1,127.0.0.2"},
            new String[] {"--dtype", "fp64"},
            new String[] {"--aeron", "idle=fast"},
            new String[] {"--aeron", "mtu"},
            new String[] {"--aeron", "transport=ipc", "--hosts", "127.0.0.1,127.0.0.2"},
            new String[] {"--min", "x"},
            new String[] {"--netlab", "2"},
            new String[] {"--netlab", "2,fast"},
            new String[] {"--netlab", "2,1gbit", "--hosts", "127.0.0.1,127.0.0.2"},
            new String[] {"--netlab", "3,1gbit", "--world", "2"},
            new String[] {"--no-such-option"});
    for (String[] args : cases) {
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      PrintStream saved = System.err;
      int code;
      try {
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        code = AllReduceBenchmark.run(args);
      } finally {
        System.setErr(saved);
      }
      String message = err.toString(StandardCharsets.UTF_8);
      assertThat(code).as(String.join(" ", args)).isEqualTo(2);
      assertThat(message.strip().lines()).as(message).hasSize(1);
      assertThat(message).startsWith("ringtrain bench allreduce: ");
    }
    assertThat(results).isEmptyDirectory();
  }

  private Path onlyResult() throws IOException {
    try (Stream<Path> files = Files.list(results)) {
      List<Path> list = files.toList();
      assertThat(list).hasSize(1);
      return list.get(0);
    }
  }
}
