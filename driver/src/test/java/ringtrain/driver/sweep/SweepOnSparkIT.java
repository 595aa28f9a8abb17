package ringtrain.driver.sweep;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ringtrain.driver.launch.SparkLauncher;

/**
 * With cluster.master set, the sweep starts one SparkContext before the first point, every point
 * trains on it (TrainRun finds it active), and the sweep stops it after the last.
 */
class SweepOnSparkIT {
  @TempDir Path tmp;

  @Test
  void shouldTrainEveryPointOnOneSparkContextAndStopIt() throws Exception {
    Path conf = tmp.resolve("base.conf");
    Files.writeString(
        conf,
        String.join(
            "\n",
            "cluster.master = \"local[1]\"",
            "data.format = synthetic",
            "data.synthetic { train_examples = 512, test_examples = 128, features = 8 }",
            "model.hidden = [8]",
            "train.micro_batch = 32",
            "train.steps = 10",
            "schedule.warmup_steps = 2"));
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    List<SweepRow> rows =
        new SweepRun(
                conf,
                SweepGrid.product(List.of("optim.lr=0.001,0.002")),
                tmp.resolve("sweep"),
                Double.NaN,
                new PrintStream(console, true, StandardCharsets.UTF_8))
            .execute();
    String printed = console.toString(StandardCharsets.UTF_8);
    assertThat(rows).hasSize(2);
    assertThat(printed).contains("sweep: 2 of 2 points done");
    for (SweepRow row : rows) {
      assertThat(Files.readString(row.runDirectory().resolve("plan.txt")))
          .contains("Spark local[1], one barrier task per rank");
    }
    assertThat(SparkLauncher.activeContext())
        .as("the sweep stops the context it started")
        .isEmpty();
    assertThat(Files.readAllLines(tmp.resolve("sweep/sweep.csv"))).hasSize(3);
  }
}
