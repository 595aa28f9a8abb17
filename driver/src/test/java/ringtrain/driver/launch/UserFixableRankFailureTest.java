package ringtrain.driver.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ringtrain.driver.cli.Main;
import ringtrain.driver.run.RunDirectory;

/**
 * A rank that fails on a setting the user must change (here: comm.aeron.dir under a regular file,
 * found when the rank starts its media driver) ends a real two-rank Spark run as a user error: the
 * rank's one line, exit code 2, no second attempt however many cluster.max_attempts allows, and
 * nothing in --out that keeps the corrected command from using it.
 */
class UserFixableRankFailureTest {
  @TempDir Path tmp;

  /** Counts the training stages Spark starts (every attempt runs in its own ringtrain-* group). */
  public static final class TrainingStages extends SparkListener {
    static final AtomicInteger STARTED = new AtomicInteger();

    @Override
    public void onJobStart(SparkListenerJobStart start) {
      String group =
          start.properties() == null ? null : start.properties().getProperty("spark.jobGroup.id");
      if (group != null && group.startsWith("ringtrain-")) {
        STARTED.incrementAndGet();
      }
    }
  }

  /** A small two-rank run on local[2] that may retry twice; {@code aeronDir} empty: the default. */
  private static String[] command(Path out, String aeronDir) {
    return new String[] {
      "train",
      "--out",
      out.toString(),
      "--set=data.format=synthetic",
      "--set=data.synthetic.train_examples=256",
      "--set=data.synthetic.test_examples=64",
      "--set=data.synthetic.features=16",
      "--set=model.hidden=[8]",
      "--set=train.micro_batch=32",
      "--set=train.steps=4",
      "--set=train.eval_every_epoch=false",
      "--set=train.world_size=2",
      "--set=cluster.master=\"local[2]\"",
      "--set=cluster.max_attempts=3",
      "--set=comm.aeron.dir=\"" + aeronDir + "\""
    };
  }

  @Test
  void shouldEndARanksSettingFailureAsOneUserErrorWithoutRetrying() throws IOException {
    Path notADirectory = Files.writeString(tmp.resolve("shm"), "a file, not a directory");
    Path out = tmp.resolve("run");
    TrainingStages.STARTED.set(0);
    System.setProperty("spark.extraListeners", TrainingStages.class.getName());
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int code;
    try {
      code =
          Main.run(
              new PrintWriter(bytes, true, StandardCharsets.UTF_8),
              command(out, notADirectory.toString()));
    } finally {
      System.clearProperty("spark.extraListeners");
    }
    String stderr = bytes.toString(StandardCharsets.UTF_8);

    assertThat(code).as("exit code; stderr: %s", stderr).isEqualTo(Main.EXIT_USER);
    List<String> lines = stderr.strip().lines().toList();
    assertThat(lines).as("stderr").hasSize(1);
    assertThat(lines.get(0))
        .startsWith("ringtrain: rank ")
        .contains(
            "cannot create the Aeron directory root " + notADirectory.resolve("ringtrain-aeron"))
        .endsWith("set comm.aeron.dir to a writable directory of this host")
        .doesNotContain("Exception")
        .doesNotContain("stage attempt");
    assertThat(TrainingStages.STARTED.get())
        .as("training stages started (cluster.max_attempts = 3)")
        .isEqualTo(1);
    assertThat(Files.readString(notADirectory)).isEqualTo("a file, not a directory");
    // --out is as a refusal on the driver leaves it: nothing but the lock file.
    try (Stream<Path> left = Files.list(out)) {
      assertThat(left.map(p -> p.getFileName().toString())).containsExactly(RunDirectory.LOCK_FILE);
    }
    // Nothing in --out stands in the way: the corrected command trains into the same directory.
    assertThat(Main.run(new PrintWriter(bytes, true, StandardCharsets.UTF_8), command(out, "")))
        .as("the corrected command; stderr: %s", bytes.toString(StandardCharsets.UTF_8))
        .isEqualTo(Main.EXIT_OK);
    assertThat(out.resolve("model.zip")).exists();
  }
}
