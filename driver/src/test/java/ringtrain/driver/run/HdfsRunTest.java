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
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import ringtrain.common.config.DataConfig;
import ringtrain.common.config.key.DataKeys;
import ringtrain.driver.data.ParquetExport;
import ringtrain.driver.data.SparkFrames;
import ringtrain.worker.data.DatasetLoader;
import ringtrain.worker.data.TrainTest;

/**
 * A run's state and data on a real HDFS, one in-process MiniDFSCluster for the class: a run resumed
 * from its HDFS snapshot ends with exactly the parameters of an uninterrupted run, and Parquet on
 * HDFS is read by {@code data.format = spark} to exactly the examples written.
 */
class HdfsRunTest {
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

  @Test
  void shouldReadParquetFromHdfsToTheExamplesWritten() {
    String fashion = "/usr/share/datasets/fashion-mnist";
    TrainTest idx =
        DatasetLoader.load(
            DataConfig.of(
                DataKeys.DIR.is(fashion),
                DataKeys.NORMALIZE.is(DataConfig.Normalize.NONE),
                DataKeys.LIMIT_TRAIN.is(256),
                DataKeys.LIMIT_TEST.is(64)),
            0);
    String root = cluster.getURI() + "/data/fashion";
    SparkSession spark =
        SparkSession.builder()
            .master("local[1]")
            .appName("ringtrain hdfs parquet test")
            .config("spark.ui.enabled", "false")
            .getOrCreate();
    TrainTest read;
    try {
      ParquetExport.write(spark, idx, root);
      read =
          SparkFrames.load(
              spark,
              DataConfig.of(
                  DataKeys.FORMAT.is(DataConfig.Format.SPARK),
                  DataKeys.PATH.is(root + "/train"),
                  DataKeys.TEST_PATH.is(root + "/test"),
                  DataKeys.FEATURES.is(List.of("features")),
                  DataKeys.NORMALIZE.is(DataConfig.Normalize.NONE),
                  DataKeys.SHAPE.is(List.of(1, 28, 28))));
    } finally {
      spark.stop();
    }

    assertThat(read.train().labels()).containsExactly(idx.train().labels());
    assertThat(read.train().features()).containsExactly(idx.train().features());
    assertThat(read.train().shape()).containsExactly(1, 28, 28);
    assertThat(read.test().labels()).containsExactly(idx.test().labels());
  }

  @Test
  void shouldReadIdxAndCsvFilesNamedByHdfsUrisToTheExamplesOfTheLocalFiles() throws IOException {
    String fashion = "/usr/share/datasets/fashion-mnist";
    FileSystem fs = cluster.getFileSystem();
    org.apache.hadoop.fs.Path remote = new org.apache.hadoop.fs.Path("/data/fashion-idx");
    fs.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(fashion), remote);
    TrainTest local = DatasetLoader.load(idx(fashion), 0);
    TrainTest onHdfs = DatasetLoader.load(idx(cluster.getURI() + remote.toString()), 0);
    assertThat(onHdfs.train().size()).isEqualTo(60_000);
    assertThat(java.util.Arrays.equals(onHdfs.train().labels(), local.train().labels())).isTrue();
    assertThat(java.util.Arrays.equals(onHdfs.train().features(), local.train().features()))
        .as("the training images read from HDFS equal the local files'")
        .isTrue();
    assertThat(java.util.Arrays.equals(onHdfs.test().features(), local.test().features())).isTrue();
    assertThat(java.util.Arrays.equals(onHdfs.test().labels(), local.test().labels())).isTrue();
    assertThat(onHdfs.train().shape()).containsExactly(1, 28, 28);

    Path csv = tmp.resolve("train.csv");
    Files.writeString(csv, "1,0.5,2\n0,1.5,-3\n2,7,8\n");
    org.apache.hadoop.fs.Path remoteCsv = new org.apache.hadoop.fs.Path("/data/csv/train.csv");
    fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(csv.toUri()), remoteCsv);
    String uri = cluster.getURI() + remoteCsv.toString();
    TrainTest read = DatasetLoader.load(csv(uri, uri), 0);
    TrainTest expected = DatasetLoader.load(csv(csv.toString(), csv.toString()), 0);
    assertThat(read.train().labels()).containsExactly(1, 0, 2);
    assertThat(read.train().features()).containsExactly(expected.train().features());
    assertThat(read.test().features()).containsExactly(expected.test().features());

    org.junit.jupiter.api.Assertions.assertThrows(
        ringtrain.common.error.DataException.class,
        () -> DatasetLoader.load(idx(cluster.getURI() + "/data/none"), 0));
  }

  private static DataConfig idx(String dir) {
    return DataConfig.of(DataKeys.DIR.is(dir), DataKeys.NORMALIZE.is(DataConfig.Normalize.NONE));
  }

  private static DataConfig csv(String train, String test) {
    return DataConfig.of(
        DataKeys.FORMAT.is(DataConfig.Format.CSV),
        DataKeys.TRAIN.is(train),
        DataKeys.TEST.is(test),
        DataKeys.NUM_CLASSES.is(3),
        DataKeys.NORMALIZE.is(DataConfig.Normalize.NONE));
  }
}
