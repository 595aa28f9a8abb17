package ringtrain.driver.data;

import org.apache.spark.SparkContext$;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import ringtrain.common.config.DataConfig;
import ringtrain.common.error.DataException;
import ringtrain.worker.data.Dataset;
import ringtrain.worker.data.DatasetLoader;
import ringtrain.worker.data.TrainTest;

/**
 * {@code data.format = spark}: reads {@code data.path} and {@code data.test_path} on the driver
 * with {@code spark.read} (or as tables), converts them with {@link FrameConverter}, and prepares
 * them like file data ({@code data.limit_*}, {@code data.normalize}).
 */
public final class SparkFrames {
  private SparkFrames() {}

  /** Reads both sets with the active SparkSession, or a local one made for the read. */
  public static TrainTest load(DataConfig cfg) {
    return withSession(spark -> load(spark, cfg));
  }

  /**
   * Runs {@code work} with the SparkSession of this JVM (spark-submit, a notebook, a test), left
   * running, or with a local one made for it and stopped after it.
   */
  public static <T> T withSession(java.util.function.Function<SparkSession, T> work) {
    // Without a running SparkContext every session left in this JVM is a stopped one.
    boolean own = SparkContext$.MODULE$.getActive().isEmpty();
    SparkSession spark =
        own
            ? SparkSession.builder()
                .master("local[1]")
                .appName("ringtrain data")
                .config("spark.ui.enabled", "false")
                .getOrCreate()
            : SparkSession.builder().getOrCreate();
    try {
      return work.apply(spark);
    } finally {
      if (own) {
        spark.stop();
      }
    }
  }

  /** Reads both sets with {@code spark}. */
  public static TrainTest load(SparkSession spark, DataConfig cfg) {
    DataConfig.Spark s = cfg.spark();
    String trainSource = "data.path = " + s.path();
    String testSource = "data.test_path = " + s.testPath();
    return load(
        cfg,
        new Frames(
            frame(spark, s, trainSource, s.path()),
            trainSource,
            frame(spark, s, testSource, s.testPath()),
            testSource));
  }

  /**
   * DataFrames already in hand (the Java API's {@code Dataset<Row>}, or a {@code JavaRDD<DataSet>}
   * turned into one), each with what it is called in messages.
   */
  public record Frames(
      org.apache.spark.sql.Dataset<Row> train,
      String trainSource,
      org.apache.spark.sql.Dataset<Row> test,
      String testSource) {}

  /**
   * Converts both frames exactly as {@code data.format = spark} converts what it read: {@code
   * data.limit_*}, the column mapping of {@code data.features}, {@code data.label} and {@code
   * data.shape}, then {@code data.normalize}.
   */
  public static TrainTest load(DataConfig cfg, Frames frames) {
    Dataset train = convert(cfg, frames.trainSource(), frames.train(), cfg.limitTrain());
    Dataset test = convert(cfg, frames.testSource(), frames.test(), cfg.limitTest());
    if (train.featureCount() != test.featureCount()) {
      throw new DataException(
          frames.testSource()
              + " has "
              + test.featureCount()
              + " features per example, "
              + frames.trainSource()
              + " has "
              + train.featureCount()
              + "; both must have the same columns");
    }
    return DatasetLoader.prepare(cfg, new TrainTest(train, test));
  }

  /**
   * One frame, its first {@code limit} rows in partition order (0 = all), checked and converted by
   * {@link FrameConverter}; not normalized.
   *
   * @param source what the frame is, for messages
   */
  public static Dataset convert(
      DataConfig cfg, String source, org.apache.spark.sql.Dataset<Row> df, int limit) {
    try {
      return new FrameConverter(cfg, source).convert(df, limit);
    } catch (DataException e) {
      throw e;
    } catch (Exception e) {
      // Spark's AnalysisException and SparkException are checked exceptions thrown unchecked.
      throw new DataException(
          "cannot read " + source + ": " + firstLine(e) + "; check the files and data.spark.*", e);
    }
  }

  static org.apache.spark.sql.Dataset<Row> frame(
      SparkSession spark, DataConfig.Spark s, String source, String location) {
    try {
      if (isTableName(location) && spark.catalog().tableExists(location)) {
        return spark.table(location);
      }
      return spark.read().format(s.format()).options(s.options()).load(location);
    } catch (Exception e) {
      // Spark's AnalysisException and SparkException are checked exceptions thrown unchecked.
      throw new DataException(
          "cannot read "
              + source
              + " as "
              + s.format()
              + ": "
              + firstLine(e)
              + "; check the path and data.spark.format");
    }
  }

  /** A table name ({@code db.table}) holds no path separator and no URI scheme. */
  private static boolean isTableName(String location) {
    return !location.contains("/") && !location.contains(":") && !location.contains("\\");
  }

  /** The first line of the innermost message: Spark wraps the cause in job and stage failures. */
  static String firstLine(Throwable e) {
    for (Throwable c = e.getCause(); c != null && c != e; c = c.getCause()) {
      if (c.getMessage() != null) {
        e = c;
      }
    }
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    m = m.strip();
    int nl = m.indexOf('\n');
    m = (nl < 0 ? m : m.substring(0, nl)).strip();
    // A wrapped cause renders as "java.io.FooException: text"; the class name is not for users.
    return m.replaceAll("(?:[A-Za-z_$][\\w$]*\\.)+[A-Z][\\w$]*(?:Exception|Error): ", "");
  }
}
