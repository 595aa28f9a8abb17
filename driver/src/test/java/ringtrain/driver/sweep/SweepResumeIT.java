package ringtrain.driver.sweep;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ringtrain.driver.cli.Main;

/**
 * A sweep whose driver is killed mid-sweep (a child JVM, SIGKILL once the second point has written
 * a snapshot) resumes when run again: the finished point is skipped untouched, the interrupted one
 * goes on from its snapshot, and sweep.csv, sweep.jsonl and the plots cover both.
 */
class SweepResumeIT {
  @TempDir Path tmp;

  private static final String BASE =
      String.join(
          "\n",
          "data.format = synthetic",
          "data.synthetic { train_examples = 1024, test_examples = 256, features = 16 }",
          "model.hidden = [32]",
          "train.micro_batch = 32",
          "optim.lr = 0.004",
          "schedule.warmup_steps = 5",
          "run.log_every = 10",
          "snapshot.every = 100",
          "snapshot.keep = 2");

  private List<String> sweepArgs(Path conf, Path out) {
    return List.of(
        "sweep",
        "--conf",
        conf.toString(),
        "--grid",
        "train.steps=40,600",
        "--target-accuracy",
        "0.5",
        "--out",
        out.toString());
  }

  @Test
  void shouldSkipTheFinishedPointAndResumeTheInterruptedOneFromItsSnapshot() throws Exception {
    Path conf = tmp.resolve("base.conf");
    Files.writeString(conf, BASE);
    Path out = tmp.resolve("sweep");
    Path first = out.resolve("points").resolve(new SweepPoint(List.of("train.steps=40")).name());
    Path second = out.resolve("points").resolve(new SweepPoint(List.of("train.steps=600")).name());

    Process driver = startDriver(sweepArgs(conf, out), tmp.resolve("first.log"));
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (!hasCompleteSnapshot(second.resolve("snapshots"))) {
        assertThat(driver.isAlive())
            .as("the sweep ended before it could be killed: %s", log(tmp.resolve("first.log")))
            .isTrue();
        assertThat(System.nanoTime()).as("no snapshot of the second point").isLessThan(deadline);
        Thread.sleep(20);
      }
    } finally {
      driver.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
    assertThat(first.resolve("summary.json")).exists();
    assertThat(second.resolve("summary.json"))
        .as("the second point must still be running when the driver is killed")
        .doesNotExist();
    byte[] firstSummary = Files.readAllBytes(first.resolve("summary.json"));
    FileTime firstTime = Files.getLastModifiedTime(first.resolve("summary.json"));

    ByteArrayOutputStream console = new ByteArrayOutputStream();
    PrintStream previous = System.out;
    int code;
    try (PrintStream capture = new PrintStream(console, true, StandardCharsets.UTF_8)) {
      System.setOut(capture);
      code =
          Main.run(new PrintWriter(System.err, true), sweepArgs(conf, out).toArray(String[]::new));
    } finally {
      System.setOut(previous);
    }
    String printed = console.toString(StandardCharsets.UTF_8);
    assertThat(code).as(printed).isZero();
    assertThat(printed).contains("train.steps=40: done, skipped");
    assertThat(printed).contains("train.steps=600: resuming from its snapshot");

    assertThat(Files.readAllBytes(first.resolve("summary.json"))).isEqualTo(firstSummary);
    assertThat(Files.getLastModifiedTime(first.resolve("summary.json"))).isEqualTo(firstTime);
    JsonNode resumed = new ObjectMapper().readTree(second.resolve("summary.json").toFile());
    assertThat(resumed.get("steps").asLong()).isEqualTo(600);
    // This process went on from the snapshot the killed driver left, not from step 0.
    JsonNode starts = resumed.get("start_steps");
    assertThat(starts.get(starts.size() - 1).asLong()).isPositive().isLessThan(600);

    List<String> csv = Files.readAllLines(out.resolve("sweep.csv"));
    assertThat(csv).hasSize(3);
    assertThat(csv.get(0)).startsWith("point,rule,settings,global_batch");
    List<String> jsonl = Files.readAllLines(out.resolve("sweep.jsonl"));
    assertThat(jsonl).hasSize(2);
    JsonNode row = new ObjectMapper().readTree(jsonl.get(1));
    assertThat(row.get("steps").asLong()).isEqualTo(600);
    assertThat(row.get("global_batch").asLong()).isEqualTo(32);
    assertThat(row.get("steps_to_target").asDouble()).isPositive();
    assertThat(out.resolve("plots/accuracy_vs_batch.png")).exists();
    assertThat(out.resolve("plots/steps_to_target.png")).exists();
  }

  private static boolean hasCompleteSnapshot(Path snapshots) throws Exception {
    if (!Files.isDirectory(snapshots)) {
      return false;
    }
    // Only a committed snapshot counts: step-NNNNNNNN with its MANIFEST, not one still staged.
    try (Stream<Path> dirs = Files.list(snapshots)) {
      return dirs.anyMatch(
          d ->
              d.getFileName().toString().matches("step-\\d{8,}")
                  && Files.exists(d.resolve("MANIFEST")));
    }
  }

  private static Process startDriver(List<String> args, Path log) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith("--add-") || arg.startsWith("-Dorg.bytedeco")) {
        cmd.add(arg);
      }
    }
    cmd.add("-Xmx1g");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(Main.class.getName());
    cmd.addAll(args);
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  private static String log(Path file) {
    try {
      return Files.readString(file);
    } catch (Exception e) {
      return "(no log)";
    }
  }
}
