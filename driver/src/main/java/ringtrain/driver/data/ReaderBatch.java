package ringtrain.driver.data;

import java.util.List;
import org.apache.spark.sql.RuntimeConfig;
import org.apache.spark.sql.SparkSession;
import ringtrain.common.config.DataConfig;

/**
 * The rows per batch of Spark's vectorized Parquet and ORC readers while ringtrain reads a training
 * set. Spark decodes 4,096 rows per batch; for a feature array of hundreds of values per row that
 * is millions of values, and the nested-column reader keeps two int levels per value beside each
 * float: about 80 MiB of heap in one executor for Fashion-MNIST's 784 features. While it reads,
 * ringtrain sets both batch sizes so that a batch holds about {@value #VALUES} values (at least 64
 * rows, at most Spark's 4,096), and then restores the session. A batch size the session sets itself
 * ({@code spark.sql.parquet.columnarReaderBatchSize}, {@code
 * spark.sql.orc.columnarReaderBatchSize}) is left alone.
 *
 * <p>Spark reads the setting when it plans a read, so it holds for every task of the frames planned
 * while this is open, retried tasks included.
 */
final class ReaderBatch implements AutoCloseable {
  /** Values one batch should hold. */
  static final int VALUES = 1 << 18;

  /** Values per row assumed for one array or vector column when data.shape does not say. */
  static final int WIDE_ROW = 1024;

  static final List<String> KEYS =
      List.of("spark.sql.parquet.columnarReaderBatchSize", "spark.sql.orc.columnarReaderBatchSize");

  private final RuntimeConfig conf;
  private final List<String> set;

  private ReaderBatch(RuntimeConfig conf, List<String> set) {
    this.conf = conf;
    this.set = set;
  }

  /** Sets the keys the session leaves unset to {@link #rows(int)} of {@code cfg}'s row width. */
  static ReaderBatch open(SparkSession spark, DataConfig cfg) {
    RuntimeConfig conf = spark.conf();
    String rows = Integer.toString(rows(width(cfg)));
    List<String> unset = KEYS.stream().filter(key -> !conf.contains(key)).toList();
    unset.forEach(key -> conf.set(key, rows));
    return new ReaderBatch(conf, unset);
  }

  /** Rows per batch for rows of {@code width} values: a power of two in [64, 4096]. */
  static int rows(int width) {
    int rows = Integer.highestOneBit(Math.max(1, VALUES / Math.max(1, width)));
    return Math.max(64, Math.min(4096, rows));
  }

  /**
   * Values per row as the config tells them: the listed columns, or {@code data.shape}; one array
   * or vector column without a shape counts as {@value #WIDE_ROW}.
   */
  static int width(DataConfig cfg) {
    List<String> features = cfg.spark().features();
    if (features.size() > 1) {
      return features.size();
    }
    if (!cfg.shape().isEmpty()) {
      return cfg.shape().stream().reduce(1, (a, b) -> a * b);
    }
    return WIDE_ROW;
  }

  /** Unsets what {@link #open} set. */
  @Override
  public void close() {
    set.forEach(conf::unset);
  }
}
