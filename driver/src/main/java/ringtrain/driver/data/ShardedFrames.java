package ringtrain.driver.data;

import java.io.Serializable;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import ringtrain.common.config.DataConfig;
import ringtrain.common.error.ConfigException;
import ringtrain.common.error.DataException;
import ringtrain.worker.data.Dataset;
import ringtrain.worker.data.TrainTest;
import scala.Tuple2;

/**
 * Placement shard for DataFrames: turns a training and a test frame, with the column mapping of
 * {@code data.features} and {@code data.label}, into one RDD of N partitions, partition r holding
 * the examples i ≡ r (mod N) of both sets ({@link ShardKey}). The driver reads only the schema, the
 * first row and the row count of each input partition; the executors convert and check the rows
 * (with {@link FrameConverter}'s messages) in the shuffle that feeds the barrier stage, which runs
 * here, before the run directory is created.
 */
public final class ShardedFrames {
  private ShardedFrames() {}

  /**
   * The sharded data of one run.
   *
   * @param rdd N partitions of (key, example)
   * @param trainSize training examples over all shards
   * @param testSize test examples over all shards
   * @param probe the first training and test example, converted on the driver: the data's shape and
   *     classes for the model and the preflight
   */
  public record Shards(
      JavaPairRDD<Long, ShardExample> rdd, int trainSize, int testSize, TrainTest probe) {
    /** What a rank needs to rebuild its shards from its partition. */
    public ShardSpec spec(DataConfig cfg) {
      Dataset first = probe.train();
      return new ShardSpec(
          trainSize,
          testSize,
          first.shape(),
          first.numClasses(),
          ringtrain.worker.data.ShardStorage.offHeapMaxBytes(cfg),
          cfg.shardEncoding());
    }
  }

  /**
   * The placement checks that need no data: on Spark, shard needs a Spark source (the driver reads
   * idx and csv whole) and a normalization that needs no statistics of the whole set.
   */
  public static void checkConfig(DataConfig cfg) {
    if (cfg.format() != DataConfig.Format.SPARK) {
      throw new ConfigException(
          "data.placement = shard on Spark needs data.format = spark, but data.format = "
              + cfg.format().key()
              + " is read whole on the driver; write it as Parquet with `ringtrain data export`"
              + " and train on that, or set data.placement = replicate");
    }
    if (cfg.effectiveNormalize() == DataConfig.Normalize.STANDARD) {
      throw new ConfigException(
          "data.normalize = standard needs statistics of the whole training set, which no rank"
              + " holds with data.placement = shard; use data.normalize = scale or none, or"
              + " data.placement = replicate");
    }
  }

  /** Reads {@code data.path} and {@code data.test_path} with {@code spark} and shards them. */
  public static Shards prepare(SparkSession spark, DataConfig cfg, int world) {
    checkConfig(cfg);
    DataConfig.Spark s = cfg.spark();
    String trainSource = "data.path = " + s.path();
    String testSource = "data.test_path = " + s.testPath();
    return prepare(
        SparkFrames.frame(spark, s, trainSource, s.path()),
        trainSource,
        SparkFrames.frame(spark, s, testSource, s.testPath()),
        testSource,
        cfg,
        world);
  }

  /**
   * Shards two frames read elsewhere (the Java API's {@code Dataset<Row>}) with the column mapping
   * and {@code data.limit_*}, {@code data.normalize} of {@code cfg}, the readers' batches sized by
   * {@link ReaderBatch}.
   *
   * @param trainSource what {@code train} is, for messages
   */
  public static Shards prepare(
      org.apache.spark.sql.Dataset<Row> train,
      String trainSource,
      org.apache.spark.sql.Dataset<Row> test,
      String testSource,
      DataConfig cfg,
      int world) {
    // Spark reads the batch size when it plans a read: every read of both frames is planned here.
    try (ReaderBatch batch = ReaderBatch.open(train.sparkSession(), cfg)) {
      boolean scale = cfg.effectiveNormalize() == DataConfig.Normalize.SCALE;
      Side tr = side(train, new FrameConverter(cfg, trainSource), cfg.limitTrain(), false, scale);
      Side te = side(test, new FrameConverter(cfg, testSource), cfg.limitTest(), true, scale);
      if (tr.width != te.width) {
        throw new DataException(
            testSource
                + " has "
                + te.width
                + " features per example, "
                + trainSource
                + " has "
                + tr.width
                + "; both must have the same columns");
      }
      JavaPairRDD<Long, ShardExample> all =
          JavaPairRDD.fromJavaRDD(tr.keyed.union(te.keyed)).partitionBy(new ShardKey(world));
      // Runs the shuffle now, so every cell is checked before the run directory is created; the
      // barrier stage then reads the shuffle's output without converting anything again.
      long shuffled;
      try {
        shuffled = all.count();
      } catch (Exception e) { // SparkException is checked, but Scala does not declare it
        for (Throwable t = e; t != null && t.getCause() != t; t = t.getCause()) {
          if (t instanceof DataException d) {
            throw new DataException(d.getMessage(), e);
          }
        }
        throw new DataException(
            "cannot read " + trainSource + ": " + SparkFrames.firstLine(e) + "; check the files",
            e);
      }
      if (shuffled != (long) tr.count + te.count) {
        throw new IllegalStateException(
            "the shuffle holds " + shuffled + " examples, the sources " + (tr.count + te.count));
      }
      return new Shards(all, tr.count, te.count, new TrainTest(tr.first, te.first));
    }
  }

  /** One set, ready to shuffle: its first example, its size and its keyed examples. */
  private record Side(
      Dataset first, int width, int count, JavaRDD<Tuple2<Long, ShardExample>> keyed) {}

  private static Side side(
      org.apache.spark.sql.Dataset<Row> df,
      FrameConverter converter,
      int limit,
      boolean test,
      boolean scale) {
    String source = converter.source();
    FrameConverter.Layout layout;
    org.apache.spark.sql.Dataset<Row> projected;
    Dataset first;
    long[] counts;
    try {
      layout = converter.check(df.schema());
      projected = converter.project(limit > 0 ? df.limit(limit) : df);
      first = converter.convert(projected.limit(1));
      JavaRDD<Row> rows = projected.javaRDD();
      counts =
          rows.mapPartitions(new CountRows()).collect().stream()
              .mapToLong(Long::longValue)
              .toArray();
    } catch (DataException e) {
      throw e;
    } catch (Exception e) {
      // Spark's AnalysisException and SparkException are checked exceptions thrown unchecked.
      throw new DataException(
          "cannot read "
              + source
              + ": "
              + SparkFrames.firstLine(e)
              + "; check the files and data.spark.*",
          e);
    }
    long[] offsets = new long[counts.length];
    long total = 0;
    for (int p = 0; p < counts.length; p++) {
      offsets[p] = total;
      total += counts[p];
    }
    if (total > Integer.MAX_VALUE) {
      throw new DataException(
          source + " holds " + total + " rows, more than the " + Integer.MAX_VALUE + " supported");
    }
    int width = first.featureCount();
    JavaRDD<Tuple2<Long, ShardExample>> keyed =
        projected
            .javaRDD()
            .mapPartitionsWithIndex(
                new ToExamples(converter, layout, width, offsets, test, scale), true);
    return new Side(first, width, (int) total, keyed);
  }

  /** The number of rows of one partition. */
  private static final class CountRows implements FlatMapFunction<Iterator<Row>, Long> {
    private static final long serialVersionUID = 1L;

    @Override
    public Iterator<Long> call(Iterator<Row> rows) {
      long n = 0;
      while (rows.hasNext()) {
        rows.next();
        n++;
      }
      return List.of(n).iterator();
    }
  }

  /** Converts and checks one partition's rows, each keyed by its index in the whole frame. */
  private static final class ToExamples
      implements Function2<Integer, Iterator<Row>, Iterator<Tuple2<Long, ShardExample>>>,
          Serializable {
    private static final long serialVersionUID = 1L;
    private static final float PIXEL_MAX = 255f;

    private final FrameConverter converter;
    private final FrameConverter.Layout layout;
    private final int width;
    private final long[] offsets;
    private final boolean test;
    private final boolean scale;

    ToExamples(
        FrameConverter converter,
        FrameConverter.Layout layout,
        int width,
        long[] offsets,
        boolean test,
        boolean scale) {
      this.converter = converter;
      this.layout = layout;
      this.width = width;
      this.offsets = offsets;
      this.test = test;
      this.scale = scale;
    }

    @Override
    public Iterator<Tuple2<Long, ShardExample>> call(Integer partition, Iterator<Row> rows) {
      long start = offsets[partition];
      return new Iterator<>() {
        long row = start;

        @Override
        public boolean hasNext() {
          return rows.hasNext();
        }

        @Override
        public Tuple2<Long, ShardExample> next() {
          Row r = rows.next();
          long index = row++;
          float[] x = converter.features(r, index, layout, width);
          if (scale) {
            // As Normalization.scale: the same float division, so the values are bitwise equal.
            for (int i = 0; i < x.length; i++) {
              x[i] = x[i] / PIXEL_MAX;
            }
          }
          int y = converter.label(r, index);
          long key = test ? ShardKey.test(index) : ShardKey.train(index);
          return new Tuple2<>(key, new ShardExample(x, y));
        }
      };
    }
  }
}
