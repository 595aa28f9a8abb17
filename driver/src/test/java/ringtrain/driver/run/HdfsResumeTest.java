package ringtrain.driver.run;

import static org.assertj.core.api.Assertions.assertThat;
import static ringtrain.driver.run.BitwiseParams.assertBitwiseEqual;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * snapshot.dir on a real HDFS (an in-process MiniDFSCluster): a run resumed from its HDFS snapshot
 * ends with exactly the parameters of an uninterrupted run.
 */
class HdfsResumeTest {
  private static MiniDFSCluster cluster;

  @TempDir Path tmp;

  private static final List<String> JOB =
      List.of(
          "data.format=synthetic",
          "data.synthetic.train_examples=512",
          "data.synthetic.test_examples=128",
          "data.synthetic.features=20",
          "model.hidden=[32, 16]",
          "model.dropout=0.2",
          "train.micro_batch=32",
          "train.steps=30",
          "train.seed=11",
          "schedule.warmup_steps=5",
          "snapshot.every=10",
          "snapshot.keep=3",
          "run.log_every=5");

  @BeforeAll
  static void startHdfs() throws IOException {
    File base = Files.createTempDirectory("ringtrain-minidfs").toFile();
    Configuration conf = new Configuration();
    cluster = new MiniDFSCluster.Builder(conf, base).numDataNodes(1).build();
    cluster.waitActive();
  }

  @AfterAll
  static void stopHdfs() {
    if (cluster != null) {
      cluster.shutdown(true);
    }
  }

  @Test
  void shouldResumeFromAnHdfsSnapshotBitwise() throws IOException {
    INDArray uninterrupted =
        new TrainRun(null, JOB, tmp.resolve("a"), false).execute().training().params();

    String ckpt = cluster.getURI() + "/ckpt/run-b";
    List<String> job = new ArrayList<>(JOB);
    job.add("snapshot.dir=\"" + ckpt + "\"");
    Path b = tmp.resolve("b");
    new TrainRun(null, job, b, false).execute();
    FileSystem fs = cluster.getFileSystem();
    org.apache.hadoop.fs.Path last = new org.apache.hadoop.fs.Path(ckpt, "step-00000030");
    assertThat(fs.exists(new org.apache.hadoop.fs.Path(last, "MANIFEST"))).isTrue();
    assertThat(Files.exists(b.resolve("snapshots"))).isFalse();
    fs.delete(last, true);

    INDArray resumed = new TrainRun(null, job, b, true).execute().training().params();

    assertBitwiseEqual(resumed, uninterrupted);
    assertThat(fs.exists(last)).isTrue();
  }
}
