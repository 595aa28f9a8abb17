package ringtrain.example;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example application as a user runs it: {@code deploy/bin/cluster-start} brings up a Spark
 * standalone master and two 1-core workers, {@code ringtrain-submit --class} submits the example's
 * own jar (ringtrain.jar on its classpath), and the application prints the test accuracy of the
 * network it trained through the Trainer API: one epoch on a slice of Fashion-MNIST.
 */
class FashionMnistAppIT {
  private static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent().getParent();
  private static final Pattern ACCURACY =
      Pattern.compile(
          "Fashion-MNIST test accuracy (\\d\\.\\d{4}) \\(loss \\S+, (\\d+) of (\\d+) correct\\)"
              + " after (\\d+) steps .*; fit reported (\\d\\.\\d{4}); outputs in .*");

  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  void shouldPrintTheAccuracyOfTheNetworkItTrainedOnAStandaloneCluster(@TempDir Path tmp)
      throws Exception {
    Map<String, String> env = Map.of("RINGTRAIN_CLUSTER_DIR", tmp.resolve("cluster").toString());
    Path log = tmp.resolve("submit.log");
    int code;
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
          "1g",
          "--port",
          "17177",
          "--webui-port",
          "18180");
      code =
          run(
              env,
              log,
              "deploy/bin/ringtrain-submit",
              "--class",
              FashionMnistApp.class.getName(),
              ROOT.resolve("deploy/example/target/ringtrain-example.jar").toString(),
              "/usr/share/datasets/fashion-mnist",
              tmp.resolve("run").toString(),
              "--train",
              "8000",
              "--test",
              "1000",
              "train.epochs=1");
    } finally {
      run(env, tmp.resolve("stop.log"), "deploy/bin/cluster-stop");
    }
    String output = Files.readString(log);
    assertThat(code).as(output).isZero();
    Matcher m = ACCURACY.matcher(output);
    assertThat(m.find()).as(output).isTrue();
    System.out.println("example application: " + m.group());
    double accuracy = Double.parseDouble(m.group(1));
    // One epoch of 8000 examples at a global batch of 128: 62 steps of a 784-256-10 MLP.
    assertThat(accuracy).isGreaterThanOrEqualTo(0.75);
    assertThat(m.group(3)).isEqualTo("1000");
    assertThat(m.group(4)).isEqualTo("62");
    // The distributed evaluate and the fit's own final evaluation score the same parameters.
    assertThat(m.group(5)).isEqualTo(m.group(1));
    assertThat(output).contains("spark://127.0.0.1:17177");
    assertThat(tmp.resolve("run/model.zip")).exists();
  }

  private static int run(Map<String, String> env, Path log, String... command)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of(command));
    cmd.set(0, ROOT.resolve(command[0]).toString());
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT.toFile()).redirectErrorStream(true);
    pb.redirectOutput(log.toFile());
    pb.environment().putAll(env);
    Process p = pb.start();
    if (!p.waitFor(8, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IllegalStateException(String.join(" ", command) + " did not finish; see " + log);
    }
    return p.exitValue();
  }
}
