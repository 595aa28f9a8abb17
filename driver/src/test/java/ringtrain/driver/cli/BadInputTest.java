package ringtrain.driver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every user mistake ends with exit code 2 and exactly one line on stderr that names the problem
 * and the fix; nothing already written is touched.
 */
class BadInputTest {
  @TempDir Path tmp;
  private Path out;

  @BeforeEach
  void setUp() {
    out = tmp.resolve("run");
  }

  private record Outcome(int code, String err) {}

  private Outcome train(String... args) {
    List<String> all = new ArrayList<>(List.of("train", "--out", out.toString()));
    all.addAll(Arrays.asList(args));
    return run(all.toArray(String[]::new));
  }

  private static Outcome run(String... args) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintWriter err = new PrintWriter(bytes, true, StandardCharsets.UTF_8);
    int code = Main.run(err, args);
    return new Outcome(code, bytes.toString(StandardCharsets.UTF_8));
  }

  private static void assertOneLineUserError(Outcome o, String... fragments) {
    assertThat(o.code()).as("exit code; stderr was: %s", o.err()).isEqualTo(2);
    assertThat(o.err().strip().lines().count()).as("stderr lines: %s", o.err()).isEqualTo(1);
    assertThat(o.err()).doesNotContain("Exception").doesNotContain("\tat ");
    for (String f : fragments) {
      assertThat(o.err()).contains(f);
    }
  }

  private static final String SYNTHETIC = "--set=data.format=synthetic";

  @Test
  void shouldRejectUnknownKeyAndSuggestTheClosest() {
    assertOneLineUserError(train("--set", "optim.lrr=0.1"), "optim.lrr", "did you mean optim.lr");
  }

  @Test
  void shouldRejectWrongType() {
    assertOneLineUserError(train("--set", "optim.lr=fast"), "optim.lr", "number");
  }

  @Test
  void shouldRejectFractionalCount() {
    assertOneLineUserError(
        train(SYNTHETIC, "--set", "train.micro_batch=2.5"), "train.micro_batch", "whole number");
  }

  @Test
  void shouldRejectNegativeLearningRate() {
    assertOneLineUserError(train(SYNTHETIC, "--set", "optim.lr=-0.1"), "optim.lr");
  }

  @Test
  void shouldRejectBetaOfOne() {
    assertOneLineUserError(train(SYNTHETIC, "--set", "optim.beta1=1.0"), "optim.beta1");
  }

  @Test
  void shouldRejectZeroEpsilon() {
    assertOneLineUserError(train(SYNTHETIC, "--set", "optim.eps=0"), "optim.eps");
  }

  @Test
  void shouldRejectUnknownOptimizer() {
    assertOneLineUserError(train(SYNTHETIC, "--set", "optim.name=adamax"), "optim.name", "adamw");
  }

  @Test
  void shouldRejectZeroWorldSize() {
    assertOneLineUserError(train(SYNTHETIC, "--set", "train.world_size=0"), "train.world_size");
  }

  @Test
  void shouldRejectBatchLargerThanTrainingSet() {
    assertOneLineUserError(
        train(
            SYNTHETIC,
            "--set",
            "data.synthetic.train_examples=100",
            "--set",
            "train.micro_batch=128"),
        "train.micro_batch");
  }

  @Test
  void shouldRejectOverrideWithoutEquals() {
    assertOneLineUserError(train("--set", "optim.lr"), "key=value");
  }

  @Test
  void shouldRejectMissingJobFile() {
    assertOneLineUserError(train("--conf", tmp.resolve("nope.conf").toString()), "nope.conf");
  }

  @Test
  void shouldRejectInvalidHocon() throws IOException {
    Path job = tmp.resolve("bad.conf");
    Files.writeString(job, "optim { lr = 0.1 \n");
    assertOneLineUserError(train("--conf", job.toString()), "bad.conf", "HOCON");
  }

  @Test
  void shouldRejectUnknownOption() {
    assertOneLineUserError(run("train", "--lr", "0.1"), "--lr");
  }

  @Test
  void shouldRejectMissingDataDirectory() {
    assertOneLineUserError(train("--set", "data.dir=" + tmp.resolve("no-such-dir")), "no-such-dir");
  }

  @Test
  void shouldRejectAnHdfsSnapshotDirectoryInsteadOfWritingALocalOne() {
    assertOneLineUserError(
        train(SYNTHETIC, "--set", "snapshot.dir=\"hdfs://namenode:8020/ckpt\""),
        "snapshot.dir",
        "hdfs:");
    assertThat(out).doesNotExist();
    assertThat(Path.of("hdfs:")).doesNotExist();
  }

  @Test
  void shouldRejectIdxWithWrongMagic() throws IOException {
    Path dir = idxDir();
    byte[] images = new byte[16 + 2 * 28 * 28];
    System.arraycopy(
        new byte[] {0, 0, 8, 4, 0, 0, 0, 2, 0, 0, 0, 28, 0, 0, 0, 28}, 0, images, 0, 16);
    writeGz(dir.resolve("train-images-idx3-ubyte.gz"), images);
    assertOneLineUserError(train("--set", "data.dir=" + dir), "magic");
  }

  @Test
  void shouldRejectTruncatedIdx() throws IOException {
    Path dir = idxDir();
    byte[] header = {0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 28, 0, 0, 0, 28, 1, 2, 3};
    writeGz(dir.resolve("train-images-idx3-ubyte.gz"), header);
    assertOneLineUserError(train("--set", "data.dir=" + dir), "truncated");
  }

  @Test
  void shouldRejectCsvLabelOutOfRange() throws IOException {
    Path csv = tmp.resolve("train.csv");
    Files.writeString(csv, "0,1,2\n3,4,5\n");
    assertOneLineUserError(csvTrain(csv, "--set", "data.num_classes=3"), "label");
  }

  @Test
  void shouldRejectRaggedCsv() throws IOException {
    Path csv = tmp.resolve("train.csv");
    Files.writeString(csv, "0,1,2\n1,4\n");
    assertOneLineUserError(csvTrain(csv), "train.csv:2");
  }

  @Test
  void shouldRejectCnnOnFlatData() {
    assertOneLineUserError(train(SYNTHETIC, "--set", "model.type=cnn"), "data.shape");
  }

  @Test
  void shouldRejectNoLengthOfTraining() {
    assertOneLineUserError(
        train(SYNTHETIC, "--set", "train.epochs=0", "--set", "train.steps=0"), "train.epochs");
  }

  @Test
  void shouldRefuseToOverwriteAnExistingRun() throws IOException {
    Files.createDirectories(out);
    Files.writeString(out.resolve("config.conf"), "precious");
    Files.writeString(out.resolve("metrics.jsonl"), "{\"step\":1}\n");
    assertOneLineUserError(train(SYNTHETIC), "--resume");
    assertThat(Files.readString(out.resolve("config.conf"))).isEqualTo("precious");
    assertThat(Files.readString(out.resolve("metrics.jsonl"))).isEqualTo("{\"step\":1}\n");
    try (var entries = Files.list(out)) {
      assertThat(entries.count()).isEqualTo(2);
    }
  }

  @Test
  void shouldRefuseResumeWithoutSnapshot() throws IOException {
    Files.createDirectories(out);
    Files.writeString(out.resolve("config.conf"), "x");
    assertOneLineUserError(train(SYNTHETIC, "--resume"), "no valid snapshot");
  }

  @Test
  void shouldRejectEvalOfMissingModel() {
    assertOneLineUserError(
        run("eval", "--model", tmp.resolve("model.zip").toString(), SYNTHETIC), "model.zip");
  }

  @Test
  void shouldRejectUnknownBenchmark() {
    assertOneLineUserError(run("bench", "nosuch"), "nosuch");
  }

  /** A valid two-example IDX dataset; each test then breaks one file. */
  private Path idxDir() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("idx"));
    for (String split : List.of("train", "t10k")) {
      byte[] images = new byte[16 + 2 * 28 * 28];
      System.arraycopy(
          new byte[] {0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 28, 0, 0, 0, 28}, 0, images, 0, 16);
      writeGz(dir.resolve(split + "-images-idx3-ubyte.gz"), images);
      writeGz(
          dir.resolve(split + "-labels-idx1-ubyte.gz"), new byte[] {0, 0, 8, 1, 0, 0, 0, 2, 3, 7});
    }
    return dir;
  }

  private Outcome csvTrain(Path csv, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--set",
                "data.format=csv",
                "--set",
                "data.train=" + csv,
                "--set",
                "data.test=" + csv));
    args.addAll(Arrays.asList(more));
    return train(args.toArray(String[]::new));
  }

  private static void writeGz(Path file, byte[] bytes) throws IOException {
    try (OutputStream os = new GZIPOutputStream(Files.newOutputStream(file))) {
      os.write(bytes);
    }
  }
}
