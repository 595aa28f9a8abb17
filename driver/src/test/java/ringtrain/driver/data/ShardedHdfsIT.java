package ringtrain.driver.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import ringtrain.common.config.DataConfig;
import ringtrain.common.config.key.DataKeys;
import ringtrain.driver.run.TrainRun;
import ringtrain.worker.data.DatasetLoader;
import ringtrain.worker.data.TrainTest;

/**
 * Fashion-MNIST as Parquet on a MiniDFSCluster, trained by two executor JVMs of {@code
 * local-cluster[2,1,1024]} with placement shard: each rank reads only its partition from HDFS
 * through the shuffle and reaches the accuracy of the IDX job (replicate) within half a point. That
 * the ranks' shards and orders are those of {@code ShardOrder} is {@link ShardedSparkRunTest}'s
 * bitwise check; across executor JVMs (one OpenMP thread each) the arithmetic differs from threads
 * of one JVM in the last bits.
 */
class ShardedHdfsIT {
  private static final String FASHION = "/usr/share/datasets/fashion-mnist";
  private static final int TRAIN = 20_000;
  private static MiniDFSCluster hdfs;
  private static String root;

  @TempDir Path tmp;

  private static final List<String> JOB =
      List.of(
          "model.type=mlp",
          "model.hidden=[128]",
          "train.world_size=2",
          "train.micro_batch=50",
          "train.epochs=2",
          "train.eval_every_epoch=false",
          "train.seed=3",
          "optim.lr=0.002",
          "schedule.warmup_steps=20",
          "run.log_every=50",
          "comm.timeout=30s");

  @BeforeAll
  static void writeFashionToHdfs() throws IOException {
    File base = Files.createTempDirectory("ringtrain-minidfs").toFile();
    hdfs = new MiniDFSCluster.Builder(new Configuration(), base).numDataNodes(1).build();
    hdfs.waitActive();
    root = hdfs.getURI() + "/data/fashion";
    TrainTest raw =
        DatasetLoader.load(
            DataConfig.of(
                DataKeys.DIR.is(FASHION),
                DataKeys.NORMALIZE.is(DataConfig.Normalize.NONE),
                DataKeys.LIMIT_TRAIN.is(TRAIN),
                DataKeys.LIMIT_TEST.is(0)),
            0);
    SparkSession spark =
        SparkSession.builder()
            .master("local[1]")
            .appName("ringtrain sharded hdfs test")
            .config("spark.ui.enabled", "false")
            .getOrCreate();
    try {
      ParquetExport.write(spark, raw, root);
    } finally {
      spark.stop();
    }
  }

  @AfterAll
  static void stopHdfs() {
    if (hdfs != null) {
      hdfs.shutdown(true);
    }
  }

  @Test
  @Timeout(value = 600, unit = TimeUnit.SECONDS)
  void shouldTrainTwoRanksOnHdfsShardsToTheAccuracyOfTheIdxJob() throws IOException {
    List<String> idx = new ArrayList<>(JOB);
    idx.addAll(
        List.of("data.format=idx", "data.dir=\"" + FASHION + "\"", "data.limit_train=" + TRAIN));
    TrainRun.Result replicate = new TrainRun(null, idx, tmp.resolve("idx"), false).execute();

    List<String> parquet = new ArrayList<>(JOB);
    parquet.addAll(
        List.of(
            "cluster.master=\"local-cluster[2,1,1024]\"",
            "data.format=spark",
            "data.path=\"" + root + "/train\"",
            "data.test_path=\"" + root + "/test\"",
            "data.features=[features]",
            "data.label=label",
            "data.shape=[1, 28, 28]",
            "data.normalize=scale"));
    TrainRun.Result sharded = new TrainRun(null, parquet, tmp.resolve("hdfs"), false).execute();

    double a = replicate.training().eval().testAccuracy();
    double s = sharded.training().eval().testAccuracy();
    System.out.printf(
        "Fashion-MNIST %d examples, N=2: idx replicate %.4f, hdfs shard %.4f (%.0f vs %.0f ex/s)%n",
        TRAIN, a, s, replicate.summary().examplesPerS(), sharded.summary().examplesPerS());
    assertThat(Files.readString(sharded.runDirectory().resolve("plan.txt")))
        .contains("shard: 2 shards of 10000 training examples");
    assertThat(s).isBetween(a - 0.005, a + 0.005);
    assertThat(a).isGreaterThan(0.8);
  }
}
