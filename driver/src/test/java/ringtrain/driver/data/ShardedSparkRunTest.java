package ringtrain.driver.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static ringtrain.driver.run.BitwiseParams.assertBitwiseEqual;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import ringtrain.common.config.DataConfig;
import ringtrain.common.config.key.DataKeys;
import ringtrain.common.error.UserException;
import ringtrain.driver.run.TrainRun;
import ringtrain.worker.data.Dataset;
import ringtrain.worker.data.DatasetLoader;
import ringtrain.worker.data.TrainTest;

/**
 * Placement shard through Spark, in one JVM ({@code local[2]}: the barrier stage's two tasks share
 * the JVM, but the rows are converted by Spark tasks, shuffled through Kryo into two partitions and
 * read back by the ranks): the ranks train bit for bit as two threads do on the same shards cut in
 * memory, and a bad cell found by a task is one line naming column and row.
 */
class ShardedSparkRunTest {
  private static final String FASHION = "/usr/share/datasets/fashion-mnist";
  private static final String SPLIT = "spark.sql.files.maxPartitionBytes";
  @TempDir Path tmp;

  private static final List<String> JOB =
      List.of(
          "model.type=mlp",
          "model.hidden=[32]",
          "train.world_size=2",
          "train.micro_batch=16",
          "train.accumulation=2",
          "train.steps=12",
          "train.seed=5",
          "schedule.warmup_steps=2",
          "run.log_every=4");

  @Test
  void shouldTrainOnSparkShardsExactlyLikeThreadsOnTheSameShards() throws Exception {
    // 517 examples: shards of 259 and 258, neither a multiple of the 32 a rank takes per step.
    TrainTest raw = fashion(517, 130);
    String[] paths = writeBoth(raw, -1);

    List<String> threads = new ArrayList<>(JOB);
    threads.addAll(
        List.of(
            "data.format=idx",
            "data.dir=\"" + FASHION + "\"",
            "data.limit_train=517",
            "data.limit_test=130",
            "data.placement=shard",
            // The threads' shards hold float32, the Spark ranks' one-byte codes (auto): the same
            // floats either way, so the same parameters.
            "data.shard.encoding=float32"));
    TrainRun.Result local = new TrainRun(null, threads, tmp.resolve("threads"), false).execute();

    // Small splits: the ranks' rows come from several input partitions, each numbered from the
    // counts of those before it.
    TrainRun.Result spark;
    System.setProperty(SPLIT, "262144");
    try {
      spark = new TrainRun(null, sparkJob(paths), tmp.resolve("spark"), false).execute();
    } finally {
      System.clearProperty(SPLIT);
    }

    INDArray a = local.training().params();
    assertBitwiseEqual(spark.training().params(), a);
    assertThat(spark.training().eval().testAccuracy())
        .isEqualTo(local.training().eval().testAccuracy());
    String plan = Files.readString(spark.runDirectory().resolve("plan.txt"));
    assertThat(plan).contains("shard: 2 shards of 258–259 training examples");
    assertThat(plan).contains("each epoch drops 5 of 517 (2–3 per rank)");
    assertThat(Files.readString(spark.runDirectory().resolve("metrics.jsonl")))
        .contains("\"input_wait_ms\"");
  }

  @Test
  void shouldNameColumnAndRowOfALabelOutOfRangeFoundOnTheExecutors() throws Exception {
    TrainTest raw = fashion(300, 40);
    String[] paths = writeBoth(raw, 217);
    Throwable t =
        catchThrowable(
            () -> new TrainRun(null, sparkJob(paths), tmp.resolve("bad"), false).execute());
    assertThat(t).isInstanceOf(UserException.class);
    assertThat(t.getMessage())
        .doesNotContain("\n")
        .contains("data.path")
        .contains("data.label column 'label' holds 10 in row 217")
        .contains("raise data.num_classes");
  }

  private static List<String> sparkJob(String[] paths) {
    List<String> job = new ArrayList<>(JOB);
    job.addAll(
        List.of(
            "cluster.master=\"local[2]\"",
            "data.format=spark",
            "data.spark.format=parquet",
            "data.path=\"" + paths[0] + "\"",
            "data.test_path=\"" + paths[1] + "\"",
            "data.features=[features]",
            "data.label=label",
            "data.shape=[1, 28, 28]",
            "data.normalize=scale"));
    return job;
  }

  private static TrainTest fashion(int train, int test) {
    return DatasetLoader.load(
        DataConfig.of(
            DataKeys.DIR.is(FASHION),
            DataKeys.NORMALIZE.is(DataConfig.Normalize.NONE),
            DataKeys.LIMIT_TRAIN.is(train),
            DataKeys.LIMIT_TEST.is(test)),
        5);
  }

  /** Both sets as Parquet, several files each; {@code badRow} of the training set gets label 10. */
  private String[] writeBoth(TrainTest raw, int badRow) {
    SparkSession spark =
        SparkSession.builder()
            .master("local[1]")
            .appName("ringtrain shard test")
            .config("spark.ui.enabled", "false")
            .getOrCreate();
    try {
      return new String[] {
        write(spark, raw.train(), tmp.resolve("train.parquet"), badRow),
        write(spark, raw.test(), tmp.resolve("test.parquet"), -1)
      };
    } finally {
      spark.stop();
    }
  }

  private static String write(SparkSession spark, Dataset ds, Path dir, int badRow) {
    StructType schema =
        new StructType(
            new StructField[] {
              DataTypes.createStructField(
                  "features", DataTypes.createArrayType(DataTypes.FloatType, false), false),
              DataTypes.createStructField("label", DataTypes.IntegerType, false)
            });
    int d = ds.featureCount();
    float[] all = ds.features();
    List<Row> rows = new ArrayList<>(ds.size());
    for (int i = 0; i < ds.size(); i++) {
      List<Float> features = new ArrayList<>(d);
      for (int j = 0; j < d; j++) {
        features.add(all[i * d + j]);
      }
      rows.add(RowFactory.create(features, i == badRow ? 10 : ds.labels()[i]));
    }
    // One file of row groups of about 256 KiB, in example order: row i of the frame is example i.
    spark
        .createDataFrame(rows, schema)
        .coalesce(1)
        .write()
        .option("parquet.block.size", 262144)
        .parquet(dir.toString());
    return dir.toUri().toString();
  }
}
