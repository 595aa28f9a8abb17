package ringtrain.common.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import ringtrain.common.config.key.ConfigKeys;
import ringtrain.common.config.key.DataKeys;
import ringtrain.common.config.key.Setting;
import ringtrain.common.error.ConfigException;

/**
 * The {@code data.*} keys: where the examples come from and how they are prepared. Validated once
 * by {@link #from(ConfigReader)}; checks that need the files themselves (shape against the feature
 * count, label column against the row width) happen when the data is loaded.
 *
 * @param format where the examples come from
 * @param dir idx: directory holding the four IDX files
 * @param train csv: training file
 * @param test csv: test file
 * @param labelColumn csv: zero-based column of the class label
 * @param numClasses labels lie in {@code [0, numClasses)}
 * @param shuffle a new permutation every epoch (true) or file order (false)
 * @param normalize as configured; see {@link #effectiveNormalize()} for what {@code auto} means
 * @param shape {@code [c, h, w]} for csv/synthetic images, or empty
 * @param limitTrain use only the first this many training examples (0 = all)
 * @param limitTest use only the first this many test examples (0 = all)
 * @param synthetic the {@code data.synthetic.*} keys
 * @param spark the keys of {@code data.format = spark}
 * @param placement how the examples are laid out over the ranks; see {@link #shards(boolean)}
 * @param shardOffHeapMaxMb a rank's shard larger than this many MiB is memory-mapped from a file
 *     under the executor's local directory instead of held off-heap
 * @param shardEncoding how a rank's shard stores its features; see {@link ShardEncoding}
 * @param prefetch a background thread assembles the next micro-batch while a step runs
 */
public record DataConfig(
    Format format,
    String dir,
    String train,
    String test,
    int labelColumn,
    int numClasses,
    boolean shuffle,
    Normalize normalize,
    List<Integer> shape,
    int limitTrain,
    int limitTest,
    Synthetic synthetic,
    Spark spark,
    Placement placement,
    int shardOffHeapMaxMb,
    ShardEncoding shardEncoding,
    boolean prefetch) {

  /** {@code data.placement}. */
  public enum Placement {
    /** shard for a Spark source trained on Spark, replicate otherwise. */
    AUTO,
    /** Each rank holds only its own partition of the training and test sets. */
    SHARD,
    /** Every rank can read every example; the global order of {@code BatchPlan}. */
    REPLICATE;

    /** The name as written in the config. */
    public String key() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** {@code data.shard.encoding}. */
  public enum ShardEncoding {
    /**
     * One byte per feature and a table of the shard's distinct values, when there are at most 256
     * of them (8-bit images, whatever their scaling; binary or categorical features); float32
     * otherwise. The table holds the values' exact bits, so a batch is the same either way.
     */
    AUTO,
    /** Four bytes per feature, whatever the values. */
    FLOAT32;

    /** The name as written in the config. */
    public String key() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** {@code data.format}. */
  public enum Format {
    IDX,
    CSV,
    SYNTHETIC,
    SPARK;

    /** The name as written in the config. */
    public String key() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** {@code data.normalize}. */
  public enum Normalize {
    NONE,
    SCALE,
    STANDARD,
    AUTO;

    /** The name as written in the config. */
    public String key() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * {@code data.synthetic.*}: a seeded, learnable problem.
   *
   * @param trainExamples number of training examples
   * @param testExamples number of test examples
   * @param features feature dimension
   * @param noise standard deviation of the Gaussian noise around each class centroid
   */
  public record Synthetic(int trainExamples, int testExamples, int features, double noise) {}

  /**
   * {@code data.format = spark}: any source {@code spark.read} takes, read on the driver.
   *
   * @param format {@code data.spark.format}: parquet, orc, csv, json, libsvm, ...
   * @param options {@code data.spark.options} given to the reader
   * @param path {@code data.path}: training data, a Hadoop URI, a local path or a table name
   * @param testPath {@code data.test_path}: test data, likewise
   * @param features {@code data.features}: one array or ML vector column, or numeric columns
   * @param label {@code data.label}: the integer class column
   */
  public record Spark(
      String format,
      Map<String, String> options,
      String path,
      String testPath,
      List<String> features,
      String label) {
    public Spark {
      options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
      features = List.copyOf(features);
    }

    /** No Spark source configured. */
    public static final Spark NONE = new Spark("parquet", Map.of(), "", "", List.of(), "label");
  }

  public DataConfig {
    shape = List.copyOf(shape);
  }

  /**
   * Whether the ranks train on shards: {@code shard}, or {@code auto} with a Spark source when the
   * ranks run on Spark (threads of one JVM share one copy, so there sharding saves nothing).
   *
   * @param onSpark the ranks run as tasks of a Spark barrier stage
   */
  public boolean shards(boolean onSpark) {
    return switch (placement) {
      case SHARD -> true;
      case REPLICATE -> false;
      case AUTO -> format == Format.SPARK && onSpark;
    };
  }

  /**
   * The data keys of {@code settings} over the defaults of every key, for programs and tests that
   * run without a job file, e.g. {@code DataConfig.of(DataKeys.FORMAT.is(Format.SYNTHETIC))}.
   */
  public static DataConfig of(Setting... settings) {
    return from(new ConfigReader(ConfigKeys.defaultsWith(settings)));
  }

  /** Reads and validates every {@code data.*} key. */
  public static DataConfig from(ConfigReader r) {
    Format format = DataKeys.FORMAT.read(r);
    String dir = LocalPaths.localOrHadoop(DataKeys.DIR.key(), DataKeys.DIR.read(r));
    String train = LocalPaths.localOrHadoop(DataKeys.TRAIN.key(), DataKeys.TRAIN.read(r));
    String test = LocalPaths.localOrHadoop(DataKeys.TEST.key(), DataKeys.TEST.read(r));
    int labelColumn = DataKeys.LABEL_COLUMN.read(r);
    int numClasses = DataKeys.NUM_CLASSES.read(r);
    boolean shuffle = DataKeys.SHUFFLE.read(r);
    Normalize normalize = DataKeys.NORMALIZE.read(r);
    List<Integer> shape = DataKeys.SHAPE.read(r);
    int limitTrain = DataKeys.LIMIT_TRAIN.read(r);
    int limitTest = DataKeys.LIMIT_TEST.read(r);
    Synthetic synthetic =
        new Synthetic(
            DataKeys.SYNTHETIC_TRAIN_EXAMPLES.read(r),
            DataKeys.SYNTHETIC_TEST_EXAMPLES.read(r),
            DataKeys.SYNTHETIC_FEATURES.read(r),
            DataKeys.SYNTHETIC_NOISE.read(r));

    if (format == Format.IDX && dir.isBlank()) {
      throw new ConfigException(
          "data.dir is empty; set it to the directory holding the IDX files when data.format = idx");
    }
    if (format == Format.CSV) {
      requireFile("data.train", train);
      requireFile("data.test", test);
    }
    Spark spark = spark(r);
    if (format == Format.SPARK) {
      requireSparkKey("data.path", spark.path(), "the training data (a Hadoop URI or a table)");
      requireSparkKey(
          "data.test_path", spark.testPath(), "the test data (a Hadoop URI or a table)");
      requireSparkKey("data.label", spark.label(), "the integer class column");
      if (spark.features().isEmpty() || spark.features().stream().anyMatch(String::isBlank)) {
        throw new ConfigException(
            "data.features = "
                + spark.features()
                + " names no column; set it to one array or vector column, e.g. [\"features\"],"
                + " or to a list of numeric columns when data.format = spark");
      }
      if (spark.features().contains(spark.label())) {
        throw new ConfigException(
            "data.label = "
                + spark.label()
                + " is also listed in data.features; a column cannot be both");
      }
    }
    Placement placement = DataKeys.PLACEMENT.read(r);
    int shardOffHeapMaxMb = DataKeys.SHARD_OFFHEAP_MAX_MB.read(r);
    checkShape(shape);
    if (format == Format.SYNTHETIC) {
      checkShapeMatches(shape, synthetic.features(), "data.synthetic.features");
    }
    return new DataConfig(
        format,
        dir,
        train,
        test,
        labelColumn,
        numClasses,
        shuffle,
        normalize,
        shape,
        limitTrain,
        limitTest,
        synthetic,
        spark,
        placement,
        shardOffHeapMaxMb,
        DataKeys.SHARD_ENCODING.read(r),
        DataKeys.PREFETCH.read(r));
  }

  private static Spark spark(ConfigReader r) {
    Map<String, String> options = new LinkedHashMap<>();
    for (String entry : DataKeys.SPARK_OPTIONS.read(r)) {
      int eq = entry.indexOf('=');
      if (eq <= 0) {
        throw new ConfigException(
            "data.spark.options entry \""
                + entry
                + "\" is not key=value; write each reader option as \"header=true\"");
      }
      options.put(entry.substring(0, eq).trim(), entry.substring(eq + 1).trim());
    }
    String format = DataKeys.SPARK_FORMAT.read(r).trim();
    if (format.isEmpty()) {
      throw new ConfigException(
          "data.spark.format is empty; set it to a Spark data source such as parquet, orc, csv");
    }
    return new Spark(
        format,
        options,
        LocalPaths.localOrHadoop(DataKeys.PATH.key(), DataKeys.PATH.read(r).trim()),
        LocalPaths.localOrHadoop(DataKeys.TEST_PATH.key(), DataKeys.TEST_PATH.read(r).trim()),
        DataKeys.FEATURES.read(r).stream().map(String::trim).toList(),
        DataKeys.LABEL.read(r).trim());
  }

  private static void requireSparkKey(String key, String value, String what) {
    if (value.isBlank()) {
      throw new ConfigException(key + " is empty; set it to " + what + " when data.format = spark");
    }
  }

  /** The normalization actually applied: {@code auto} is scale for idx and none otherwise. */
  public Normalize effectiveNormalize() {
    if (normalize != Normalize.AUTO) {
      return normalize;
    }
    return format == Format.IDX ? Normalize.SCALE : Normalize.NONE;
  }

  /** {@link #shape()} as an array, or {@code null} when no shape is configured. */
  public int[] shapeOrNull() {
    return shape.isEmpty() ? null : shape.stream().mapToInt(Integer::intValue).toArray();
  }

  /**
   * Throws a {@link ConfigException} unless {@code data.shape} is empty or its product equals
   * {@code featureCount}; {@code source} names where the feature count came from.
   */
  public static void checkShapeMatches(List<Integer> shape, long featureCount, String source) {
    if (shape.isEmpty()) {
      return;
    }
    long product = 1;
    for (int s : shape) {
      product *= s;
    }
    if (product != featureCount) {
      throw new ConfigException(
          "data.shape = "
              + shape
              + " holds "
              + product
              + " values but "
              + source
              + " gives "
              + featureCount
              + " features per example; set data.shape to [channels, height, width] with"
              + " channels·height·width = "
              + featureCount
              + ", or to [] for flat vectors");
    }
  }

  private static void checkShape(List<Integer> shape) {
    if (shape.isEmpty()) {
      return;
    }
    boolean positive = shape.stream().allMatch(s -> s > 0);
    if (shape.size() != 3 || !positive) {
      throw new ConfigException(
          "data.shape = "
              + shape
              + " is not an image shape; set it to [channels, height, width] with positive"
              + " sizes, or to [] for flat vectors");
    }
  }

  private static void requireFile(String key, String value) {
    if (value.isBlank()) {
      throw new ConfigException(
          key + " is empty; set it to a CSV file (one example per line) when data.format = csv");
    }
  }
}
