package ringtrain.common.config.key;

import java.util.List;
import ringtrain.common.config.DataConfig.Format;
import ringtrain.common.config.DataConfig.Normalize;
import ringtrain.common.config.DataConfig.Placement;
import ringtrain.common.config.DataConfig.ShardEncoding;

/** The {@code data.*} keys: where the examples come from and how they are prepared. */
public final class DataKeys {
  private DataKeys() {}

  public static final ConfigKey<Format> FORMAT =
      ConfigKey.of(
          "data.format",
          ValueType.enumOf(Format.class),
          Format.IDX,
          "idx, csv, synthetic, or spark (any source spark.read takes).");

  public static final ConfigKey<String> DIR =
      ConfigKey.of(
          "data.dir",
          ValueType.STRING,
          "/usr/share/datasets/fashion-mnist",
          "idx: directory (or Hadoop URI) holding the four IDX files.");

  public static final ConfigKey<String> TRAIN =
      ConfigKey.of("data.train", ValueType.STRING, "", "csv: the training file.");

  public static final ConfigKey<String> TEST =
      ConfigKey.of("data.test", ValueType.STRING, "", "csv: the test file.");

  public static final ConfigKey<Integer> LABEL_COLUMN =
      ConfigKey.of(
          "data.label_column",
          ValueType.INT,
          0,
          "csv: zero-based column of the integer class label.",
          Check.atLeast(0));

  public static final ConfigKey<Integer> NUM_CLASSES =
      ConfigKey.of(
          "data.num_classes",
          ValueType.INT,
          10,
          "Number of classes; labels lie in [0, num_classes).",
          Check.atLeast(2));

  public static final ConfigKey<Boolean> SHUFFLE =
      ConfigKey.of(
          "data.shuffle",
          ValueType.BOOLEAN,
          true,
          "A new permutation of the training set every epoch (false: file order).");

  public static final ConfigKey<Normalize> NORMALIZE =
      ConfigKey.of(
          "data.normalize",
          ValueType.enumOf(Normalize.class),
          Normalize.AUTO,
          "none, scale (÷255), standard, or auto (scale for idx, none otherwise).");

  public static final ConfigKey<List<Integer>> SHAPE =
      ConfigKey.of(
          "data.shape",
          ValueType.INT_LIST,
          List.of(),
          "[channels, height, width] of csv/synthetic images; empty = flat vectors.");

  public static final ConfigKey<Integer> LIMIT_TRAIN =
      ConfigKey.of(
          "data.limit_train",
          ValueType.INT,
          0,
          "Use only the first this many training examples; 0 = all.",
          Check.atLeast(0));

  public static final ConfigKey<Integer> LIMIT_TEST =
      ConfigKey.of(
          "data.limit_test",
          ValueType.INT,
          0,
          "Use only the first this many test examples; 0 = all.",
          Check.atLeast(0));

  public static final ConfigKey<String> PATH =
      ConfigKey.of(
          "data.path", ValueType.STRING, "", "spark: the training data, a URI, path or table.");

  public static final ConfigKey<String> TEST_PATH =
      ConfigKey.of(
          "data.test_path", ValueType.STRING, "", "spark: the test data, a URI, path or table.");

  public static final ConfigKey<List<String>> FEATURES =
      ConfigKey.of(
          "data.features",
          ValueType.STRING_LIST,
          List.of(),
          "spark: one array or vector column, or a list of numeric columns.");

  public static final ConfigKey<String> LABEL =
      ConfigKey.of("data.label", ValueType.STRING, "label", "spark: the integer class column.");

  public static final ConfigKey<Placement> PLACEMENT =
      ConfigKey.of(
          "data.placement",
          ValueType.enumOf(Placement.class),
          Placement.AUTO,
          "shard, replicate, or auto (shard for a Spark source on Spark).");

  public static final ConfigKey<Integer> SHARD_OFFHEAP_MAX_MB =
      ConfigKey.of(
          "data.shard.offheap_max_mb",
          ValueType.INT,
          512,
          "A shard up to this many MiB lives off-heap; a larger one is memory-mapped.",
          Check.atLeast(0));

  public static final ConfigKey<ShardEncoding> SHARD_ENCODING =
      ConfigKey.of(
          "data.shard.encoding",
          ValueType.enumOf(ShardEncoding.class),
          ShardEncoding.AUTO,
          "auto (one byte per feature when a shard has at most 256 distinct values) or float32.");

  public static final ConfigKey<Boolean> PREFETCH =
      ConfigKey.of(
          "data.prefetch",
          ValueType.BOOLEAN,
          true,
          "Assemble the next micro-batch on a background thread while a step runs.");

  public static final ConfigKey<String> SPARK_FORMAT =
      ConfigKey.of(
          "data.spark.format",
          ValueType.STRING,
          "parquet",
          "spark: the data source of data.path and data.test_path.");

  public static final ConfigKey<List<String>> SPARK_OPTIONS =
      ConfigKey.of(
          "data.spark.options",
          ValueType.STRING_LIST,
          List.of(),
          "spark: reader options as \"key=value\" strings.");

  public static final ConfigKey<Integer> SYNTHETIC_TRAIN_EXAMPLES =
      ConfigKey.of(
          "data.synthetic.train_examples",
          ValueType.INT,
          8192,
          "synthetic: number of training examples.",
          Check.atLeast(1));

  public static final ConfigKey<Integer> SYNTHETIC_TEST_EXAMPLES =
      ConfigKey.of(
          "data.synthetic.test_examples",
          ValueType.INT,
          2048,
          "synthetic: number of test examples.",
          Check.atLeast(1));

  public static final ConfigKey<Integer> SYNTHETIC_FEATURES =
      ConfigKey.of(
          "data.synthetic.features",
          ValueType.INT,
          64,
          "synthetic: features per example.",
          Check.atLeast(1));

  public static final ConfigKey<Double> SYNTHETIC_NOISE =
      ConfigKey.of(
          "data.synthetic.noise",
          ValueType.NUMBER,
          1.0,
          "synthetic: standard deviation of the noise around each class centroid.",
          Check.atLeast(0.0));

  /** Every {@code data.*} key. */
  public static final List<ConfigKey<?>> ALL =
      List.of(
          FORMAT,
          DIR,
          TRAIN,
          TEST,
          LABEL_COLUMN,
          NUM_CLASSES,
          SHUFFLE,
          NORMALIZE,
          SHAPE,
          LIMIT_TRAIN,
          LIMIT_TEST,
          PATH,
          TEST_PATH,
          FEATURES,
          LABEL,
          PLACEMENT,
          SHARD_OFFHEAP_MAX_MB,
          SHARD_ENCODING,
          PREFETCH,
          SPARK_FORMAT,
          SPARK_OPTIONS,
          SYNTHETIC_TRAIN_EXAMPLES,
          SYNTHETIC_TEST_EXAMPLES,
          SYNTHETIC_FEATURES,
          SYNTHETIC_NOISE);
}
