package ringtrain.driver.run;

import static org.assertj.core.api.Assertions.assertThat;
import static ringtrain.driver.run.BitwiseParams.assertBitwiseEqual;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import ringtrain.common.error.SnapshotException;

/** A resumed run ends with exactly the parameters of an uninterrupted one. */
class ResumeTest {
  @TempDir Path tmp;

  private static final List<String> JOB =
      List.of(
          "data.format=synthetic",
          "data.synthetic.train_examples=1024",
          "data.synthetic.test_examples=256",
          "data.synthetic.features=20",
          "model.hidden=[32, 16]",
          "model.dropout=0.2",
          "train.micro_batch=32",
          "train.accumulation=2",
          "train.steps=30",
          "train.seed=7",
          "schedule.warmup_steps=5",
          "snapshot.every=10",
          "snapshot.keep=3",
          "run.log_every=5");

  private TrainRun.Result train(Path out, boolean resume) {
    return new TrainRun(null, JOB, out, resume).execute();
  }

  @Test
  void shouldEndBitwiseEqualWhenResumedFromAnEarlierSnapshot() throws IOException {
    INDArray uninterrupted = train(tmp.resolve("a"), false).training().params();

    Path b = tmp.resolve("b");
    train(b, false);
    deleteRecursively(b.resolve("snapshots/step-00000030"));
    INDArray resumed = train(b, true).training().params();

    assertBitwiseEqual(resumed, uninterrupted);
  }

  @Test
  void shouldEndBitwiseEqualWithFp16LossScalingRecomputationAndOverlap() throws IOException {
    // A huge initial scale makes the first steps overflow and skip; growth every 4 finite steps
    // then moves the scale across the snapshots, so the scaler state must survive the resume.
    List<String> job = new java.util.ArrayList<>(JOB);
    job.addAll(
        List.of(
            "precision.compute=fp16",
            "precision.mode=emulated",
            "precision.loss_scale.init=1099511627776",
            "precision.loss_scale.growth_interval=4",
            "remat.segments=2",
            "train.world_size=2",
            "comm.overlap=true",
            "comm.bucket_mb=1"));
    INDArray uninterrupted =
        new TrainRun(null, job, tmp.resolve("a"), false).execute().training().params();

    Path b = tmp.resolve("b");
    new TrainRun(null, job, b, false).execute();
    deleteRecursively(b.resolve("snapshots/step-00000030"));
    INDArray resumed = new TrainRun(null, job, b, true).execute().training().params();

    assertBitwiseEqual(resumed, uninterrupted);
    String metrics = Files.readString(b.resolve("metrics.jsonl"));
    assertThat(metrics).contains("\"skipped_steps\":").contains("\"loss_scale\":");
  }

  @Test
  void shouldSkipACorruptSnapshotAndStillMatch() throws IOException {
    INDArray uninterrupted = train(tmp.resolve("a"), false).training().params();

    Path b = tmp.resolve("b");
    train(b, false);
    deleteRecursively(b.resolve("snapshots/step-00000030"));
    try (RandomAccessFile f =
        new RandomAccessFile(b.resolve("snapshots/step-00000020/params.npy").toFile(), "rw")) {
      f.seek(f.length() - 3);
      int v = f.read();
      f.seek(f.length() - 3);
      f.write(v ^ 0x40);
    }
    INDArray resumed = train(b, true).training().params();

    assertBitwiseEqual(resumed, uninterrupted);
  }

  @Test
  void shouldRefuseResumeUnderAChangedConfig() {
    Path b = tmp.resolve("b");
    train(b, false);
    List<String> changed = new java.util.ArrayList<>(JOB);
    changed.add("optim.lr=0.01");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> new TrainRun(null, changed, b, true).execute())
        .isInstanceOf(SnapshotException.class)
        .hasMessageContaining("different config");
  }

  private static void deleteRecursively(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
