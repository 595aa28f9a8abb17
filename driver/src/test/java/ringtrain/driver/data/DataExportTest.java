package ringtrain.driver.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ringtrain.common.config.DataConfig;
import ringtrain.common.config.key.DataKeys;
import ringtrain.driver.cli.Main;
import ringtrain.worker.data.DatasetLoader;
import ringtrain.worker.data.TrainTest;

/** {@code ringtrain data export} writes the configured examples as Parquet, in order, unscaled. */
class DataExportTest {
  private static final String FASHION = "/usr/share/datasets/fashion-mnist";
  private static SparkSession spark;

  @TempDir Path tmp;

  @BeforeAll
  static void startSpark() {
    spark =
        SparkSession.builder()
            .master("local[1]")
            .appName("ringtrain export test")
            .config("spark.ui.enabled", "false")
            .getOrCreate();
  }

  @AfterAll
  static void stopSpark() {
    if (spark != null) {
      spark.stop();
    }
  }

  private static int run(ByteArrayOutputStream errBytes, String... args) {
    PrintWriter err = new PrintWriter(errBytes, true, StandardCharsets.UTF_8);
    return Main.run(err, args);
  }

  @Test
  void shouldWriteTheIdxExamplesAsParquetAndRefuseToOverwrite() throws Exception {
    Path to = tmp.resolve("fashion");
    String[] args = {
      "data",
      "export",
      "--set",
      "data.dir=\"" + FASHION + "\"",
      "--set",
      "data.limit_train=64",
      "--set",
      "data.limit_test=16",
      "--to",
      to.toString()
    };
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    assertThat(run(err, args)).as(err.toString(StandardCharsets.UTF_8)).isZero();

    List<Row> train = spark.read().parquet(to.resolve("train").toString()).collectAsList();
    assertThat(spark.read().parquet(to.resolve("test").toString()).count()).isEqualTo(16);
    TrainTest idx =
        DatasetLoader.load(
            DataConfig.of(
                DataKeys.DIR.is(FASHION),
                DataKeys.NORMALIZE.is(DataConfig.Normalize.NONE),
                DataKeys.LIMIT_TRAIN.is(64),
                DataKeys.LIMIT_TEST.is(16)),
            0);
    assertThat(train).hasSize(64);
    for (int i = 0; i < 64; i++) {
      Row r = train.get(i);
      assertThat(r.getInt(1)).isEqualTo(idx.train().labels()[i]);
      List<Float> features = r.getList(0);
      float[] expected = new float[784];
      System.arraycopy(idx.train().features(), i * 784, expected, 0, 784);
      float[] actual = new float[features.size()];
      for (int j = 0; j < actual.length; j++) {
        actual[j] = features.get(j);
      }
      assertThat(actual).as("row %d", i).containsExactly(expected);
    }

    long before = Files.walk(to).count();
    ByteArrayOutputStream again = new ByteArrayOutputStream();
    assertThat(run(again, args)).isEqualTo(2);
    String line = again.toString(StandardCharsets.UTF_8).strip();
    assertThat(line.lines().count()).as(line).isEqualTo(1);
    assertThat(line).contains("--to").contains("already exists");
    assertThat(Files.walk(to).count()).isEqualTo(before);
  }
}
