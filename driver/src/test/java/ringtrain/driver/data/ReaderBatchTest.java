package ringtrain.driver.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import ringtrain.common.config.DataConfig;
import ringtrain.common.config.key.DataKeys;

class ReaderBatchTest {
  private static final String PARQUET = "spark.sql.parquet.columnarReaderBatchSize";
  private static final String ORC = "spark.sql.orc.columnarReaderBatchSize";

  @Test
  void shouldHoldAbout256KValuesPerBatchBetween64And4096Rows() {
    assertThat(ReaderBatch.rows(784)).isEqualTo(256);
    assertThat(ReaderBatch.rows(3 * 32 * 32)).isEqualTo(64);
    assertThat(ReaderBatch.rows(1 << 20)).isEqualTo(64);
    assertThat(ReaderBatch.rows(20)).isEqualTo(4096);
    assertThat(ReaderBatch.width(config(List.of("features"), List.of(1, 28, 28)))).isEqualTo(784);
    assertThat(ReaderBatch.width(config(List.of("a", "b", "c"), List.of()))).isEqualTo(3);
    assertThat(ReaderBatch.width(config(List.of("features"), List.of())))
        .isEqualTo(ReaderBatch.WIDE_ROW);
  }

  @Test
  void shouldSetWhatTheSessionLeavesUnsetAndRestoreIt() {
    SparkSession spark =
        SparkSession.builder()
            .master("local[1]")
            .appName("ringtrain reader batch test")
            .config("spark.ui.enabled", "false")
            .getOrCreate();
    try {
      spark.conf().set(ORC, "1000");
      DataConfig cfg = config(List.of("features"), List.of(1, 28, 28));
      try (ReaderBatch batch = ReaderBatch.open(spark, cfg)) {
        assertThat(spark.conf().get(PARQUET)).isEqualTo("256");
        assertThat(spark.conf().get(ORC)).isEqualTo("1000");
      }
      assertThat(spark.conf().contains(PARQUET)).isFalse();
      assertThat(spark.conf().get(PARQUET)).isEqualTo("4096");
      assertThat(spark.conf().get(ORC)).isEqualTo("1000");
    } finally {
      spark.stop();
    }
  }

  private static DataConfig config(List<String> features, List<Integer> shape) {
    return DataConfig.of(
        DataKeys.FORMAT.is(DataConfig.Format.SPARK),
        DataKeys.PATH.is("/x"),
        DataKeys.TEST_PATH.is("/y"),
        DataKeys.FEATURES.is(features),
        DataKeys.SHAPE.is(shape));
  }
}
