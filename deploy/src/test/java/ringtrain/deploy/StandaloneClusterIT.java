package ringtrain.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deploy scripts end to end: {@code cluster-start} brings up a Spark standalone master and two
 * 1-core workers from the Maven-built jars, {@code ringtrain-submit} submits the fat jar with the
 * Fashion-MNIST MLP example on two ranks, and the trained model reaches 89 % test accuracy.
 */
class StandaloneClusterIT {
  private static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();

  @Test
  @Timeout(value = 25, unit = TimeUnit.MINUTES)
  void shouldTrainFashionMnistToEightyNinePercentOnAStandaloneClusterStartedByTheDeployScripts(
      @TempDir Path tmp) throws Exception {
    Map<String, String> env = Map.of("RINGTRAIN_CLUSTER_DIR", tmp.resolve("cluster").toString());
    Path out = tmp.resolve("run");
    try {
      run(
          env,
          tmp.resolve("start.log"),
          "deploy/bin/cluster-start",
          "--workers",
          "2",
          "--cores",
          "1",
          "--memory",
          "2g",
          "--port",
          "17077",
          "--webui-port",
          "18080");
      int code =
          run(
              env,
              tmp.resolve("submit.log"),
              "deploy/bin/ringtrain-submit",
              "train",
              "--conf",
              "conf/examples/fashion-mlp.conf",
              "--set",
              "train.epochs=12",
              "--set",
              "train.eval_every_epoch=false",
              "--out",
              out.toString());
      assertThat(code).as(Files.readString(tmp.resolve("submit.log"))).isZero();
    } finally {
      run(env, tmp.resolve("stop.log"), "deploy/bin/cluster-stop");
    }
    JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
    System.out.println("standalone cluster summary: " + summary);
    assertThat(summary.get("world_size").asInt()).isEqualTo(2);
    assertThat(summary.get("test_accuracy").asDouble()).isGreaterThanOrEqualTo(0.89);
    assertThat(Files.readString(tmp.resolve("submit.log"))).contains("spark://127.0.0.1:17077");
  }

  private static int run(Map<String, String> env, Path log, String... command)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(command));
    cmd.set(0, ROOT.resolve(command[0]).toString());
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT.toFile()).redirectErrorStream(true);
    pb.redirectOutput(log.toFile());
    pb.environment().putAll(env);
    Process p = pb.start();
    if (!p.waitFor(20, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IllegalStateException(String.join(" ", command) + " did not finish; see " + log);
    }
    return p.exitValue();
  }

  static {
    // The scripts find the build relative to the repository root.
    assertThat(new File(ROOT.toFile(), "deploy/bin/cluster-start")).exists();
  }
}
