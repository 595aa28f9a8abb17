package ringtrain.driver.data;

import static ringtrain.driver.run.BitwiseParams.assertBitwiseEqual;

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
import ringtrain.driver.run.TrainRun;
import ringtrain.worker.data.Dataset;
import ringtrain.worker.data.DatasetLoader;
import ringtrain.worker.data.TrainTest;

/**
 * Fashion-MNIST written as Parquet (features array + label) and read back through {@code
 * data.format = spark} trains, replicated over two ranks, to exactly the parameters of the IDX job
 * with the same seed.
 */
class ParquetEquivalenceTest {
  private static final String FASHION = "/usr/share/datasets/fashion-mnist";
  @TempDir static Path tmp;

  private static final List<String> JOB =
      List.of(
          "data.limit_train=512",
          "data.limit_test=128",
          "model.type=mlp",
          "model.hidden=[32]",
          "train.world_size=2",
          "train.micro_batch=16",
          "train.steps=12",
          "train.seed=5",
          "schedule.warmup_steps=2",
          "run.log_every=4");

  @Test
  void shouldTrainBitwiseLikeTheIdxJob() {
    TrainTest raw =
        DatasetLoader.load(
            DataConfig.of(
                DataKeys.DIR.is(FASHION),
                DataKeys.NORMALIZE.is(DataConfig.Normalize.NONE),
                DataKeys.LIMIT_TRAIN.is(512),
                DataKeys.LIMIT_TEST.is(128)),
            5);
    // Written, then stopped: with no SparkContext left, both jobs train in this JVM (replicate)
    // and the Spark source reads with a session of its own.
    SparkSession spark =
        SparkSession.builder()
            .master("local[1]")
            .appName("ringtrain parquet test")
            .config("spark.ui.enabled", "false")
            .getOrCreate();
    String train;
    String test;
    try {
      train = writeParquet(spark, raw.train(), tmp.resolve("train.parquet"));
      test = writeParquet(spark, raw.test(), tmp.resolve("test.parquet"));
    } finally {
      spark.stop();
    }
    List<String> idx = new ArrayList<>(JOB);
    idx.addAll(List.of("data.format=idx", "data.dir=\"" + FASHION + "\""));
    INDArray fromIdx =
        new TrainRun(null, idx, tmp.resolve("idx"), false).execute().training().params();

    List<String> parquet = new ArrayList<>(JOB);
    parquet.addAll(
        List.of(
            "data.format=spark",
            "data.spark.format=parquet",
            "data.path=\"" + train + "\"",
            "data.test_path=\"" + test + "\"",
            "data.features=[features]",
            "data.label=label",
            "data.shape=[1, 28, 28]",
            "data.normalize=scale"));
    INDArray fromParquet =
        new TrainRun(null, parquet, tmp.resolve("parquet"), false).execute().training().params();

    assertBitwiseEqual(fromParquet, fromIdx);
  }

  /** One Parquet file, rows in dataset order; returns its file: URI. */
  private static String writeParquet(SparkSession spark, Dataset ds, Path dir) {
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
      rows.add(RowFactory.create(features, ds.labels()[i]));
    }
    spark.createDataFrame(rows, schema).coalesce(1).write().parquet(dir.toString());
    return dir.toUri().toString();
  }
}
