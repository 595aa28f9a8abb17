package ringtrain.bench.memory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import ringtrain.bench.BenchCli;
import ringtrain.bench.BenchResults;
import ringtrain.bench.Medians;
import ringtrain.common.bench.Benchmark;
import ringtrain.common.metrics.StepMetrics;
import ringtrain.driver.metrics.MetricsJsonl;
import ringtrain.driver.run.TrainRun;

/**
 * {@code ringtrain bench larger}: a training set several times larger than one executor's memory,
 * with placement shard, against the same job on a set that fits in memory, side by side. Both sets
 * are seeded synthetic Parquet (class centroids plus noise) written by Spark tasks, never held
 * whole by any JVM. Reported: the median examples/s of the logged intervals after the warmup, large
 * / small (target ≥ 0.9), and whether the ranks memory-mapped their shards.
 */
@Command(
    name = "larger",
    mixinStandardHelpOptions = true,
    description = "A training set larger than executor memory (placement shard) vs one that fits.")
public final class LargerThanMemoryBenchmark implements Benchmark, Callable<Integer> {
  @Option(
      names = "--gib",
      description = "GiB of features in the large set (default ${DEFAULT-VALUE}).")
  double gib = 3;

  @Option(
      names = "--small-gib",
      description = "GiB of features in the set that fits (default ${DEFAULT-VALUE}).")
  double smallGib = 0.1;

  @Option(names = "--features", description = "Features per example (default ${DEFAULT-VALUE}).")
  int features = 512;

  @Option(names = "--master", description = "Spark master (default ${DEFAULT-VALUE}).")
  String master = "local-cluster[2,1,1024]";

  @Option(names = "--steps", description = "Training steps per run (default ${DEFAULT-VALUE}).")
  int steps = 300;

  @Option(names = "--warmup", description = "Leading steps left out (default ${DEFAULT-VALUE}).")
  int warmup = 50;

  @Option(names = "--work", description = "Directory for the data (default: a temporary one).")
  Path work;

  @Option(
      names = "--results",
      description = "Directory for the JSON result (default ${DEFAULT-VALUE}).")
  Path results = Paths.get("bench/results");

  @Override
  public String name() {
    return "larger";
  }

  @Override
  public String description() {
    return "a training set larger than executor memory (placement shard) vs one that fits";
  }

  @Override
  public int run(String[] args) {
    return BenchCli.execute(this, args);
  }

  @Override
  public Integer call() throws IOException {
    Path dir = work != null ? work : Files.createTempDirectory("ringtrain-bench-larger-");
    long large = examples(gib);
    long small = examples(smallGib);
    String largeUri = generate(dir.resolve("large"), large);
    String smallUri = generate(dir.resolve("small"), small);
    Map<String, Object> rows = new LinkedHashMap<>();
    rows.put("fits", train(smallUri, small, dir.resolve("run-small")));
    rows.put("larger", train(largeUri, large, dir.resolve("run-large")));
    double fits = (double) ((Map<?, ?>) rows.get("fits")).get("examples_per_s");
    double larger = (double) ((Map<?, ?>) rows.get("larger")).get("examples_per_s");
    System.out.printf(
        Locale.ROOT,
        "examples/s: %.0f with %.2f GiB (fits), %.0f with %.2f GiB: larger / fits = %.2f%n",
        fits,
        smallGib,
        larger,
        gib,
        larger / fits);
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("benchmark", "larger");
    json.put("master", master);
    json.put("features", features);
    json.put("steps", steps);
    json.put("warmup_steps_excluded", warmup);
    json.put("host_cores", Runtime.getRuntime().availableProcessors());
    json.put("runs", rows);
    json.put("larger_over_fits", larger / fits);
    BenchResults.write(results, "larger", json);
    return 0;
  }

  private long examples(double g) {
    return (long) (g * (1L << 30) / (Float.BYTES * (long) features));
  }

  private Map<String, Object> train(String uri, long n, Path out) {
    List<String> job =
        List.of(
            "cluster.master=\"" + master + "\"",
            "data.format=spark",
            "data.path=\"" + uri + "/train\"",
            "data.test_path=\"" + uri + "/test\"",
            "data.features=[features]",
            "data.num_classes=10",
            "data.placement=shard",
            "train.world_size=2",
            "train.micro_batch=64",
            "train.steps=" + steps,
            "train.eval_every_epoch=false",
            "model.hidden=[128]",
            "schedule.warmup_steps=20",
            "run.log_every=10",
            "snapshot.at_end=false",
            "comm.timeout=60s");
    long start = System.nanoTime();
    TrainRun.Result result = new TrainRun(null, job, out, false).execute();
    double wall = (System.nanoTime() - start) / 1e9;
    List<StepMetrics> after =
        MetricsJsonl.read(out.resolve("metrics.jsonl")).steps().stream()
            .filter(m -> m.step() >= warmup)
            .toList();
    // The median of the logged intervals: a burst of other load on the host moves a mean, not it.
    double perS = Medians.of(after.stream().mapToDouble(StepMetrics::examplesPerS).toArray());
    double waitMs = after.stream().mapToDouble(StepMetrics::inputWaitMs).average().orElse(0);
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("examples", n);
    row.put("feature_bytes", n * features * Float.BYTES);
    row.put("examples_per_s", perS);
    row.put("input_wait_ms", waitMs);
    row.put("test_accuracy", result.training().eval().testAccuracy());
    row.put("wall_s_with_read", wall);
    return row;
  }

  /** Seeded synthetic Parquet under {@code dir}/train and /test, written by Spark tasks. */
  private String generate(Path dir, long n) {
    SparkSession spark =
        SparkSession.builder()
            .master("local[2]")
            .appName("ringtrain bench larger data")
            .config("spark.ui.enabled", "false")
            .getOrCreate();
    try {
      write(spark, dir.resolve("train").toString(), n, 1);
      write(spark, dir.resolve("test").toString(), Math.max(1000, n / 50), 2);
    } finally {
      spark.stop();
    }
    return dir.toUri().toString();
  }

  private void write(SparkSession spark, String to, long n, long seed) {
    int parts = (int) Math.max(2, n / 100_000);
    StructType schema =
        new StructType(
            new StructField[] {
              DataTypes.createStructField(
                  "features", DataTypes.createArrayType(DataTypes.FloatType, false), false),
              DataTypes.createStructField("label", DataTypes.IntegerType, false)
            });
    List<long[]> ranges = new ArrayList<>();
    IntStream.range(0, parts)
        .forEach(p -> ranges.add(new long[] {n * p / parts, n * (p + 1) / parts}));
    JavaRDD<Row> rows =
        new JavaSparkContext(spark.sparkContext())
            .parallelize(ranges, parts)
            .flatMap(new Examples(features, seed));
    spark.createDataFrame(rows, schema).write().parquet(to);
  }

  /** Examples [from, to): class i mod 10, its centroid (from a fixed seed) plus unit noise. */
  private static final class Examples implements FlatMapFunction<long[], Row> {
    private static final long serialVersionUID = 1L;
    private final int d;
    private final long seed;

    Examples(int d, long seed) {
      this.d = d;
      this.seed = seed;
    }

    @Override
    public Iterator<Row> call(long[] range) {
      float[][] centroids = new float[10][d];
      SplittableRandom c = new SplittableRandom(42);
      for (float[] row : centroids) {
        for (int j = 0; j < d; j++) {
          row[j] = (float) c.nextGaussian() * 0.2f;
        }
      }
      SplittableRandom noise = new SplittableRandom(seed * 1_000_003 + range[0]);
      return new Iterator<>() {
        long i = range[0];

        @Override
        public boolean hasNext() {
          return i < range[1];
        }

        @Override
        public Row next() {
          int label = (int) (i++ % 10);
          float[] x = new float[d];
          for (int j = 0; j < d; j++) {
            x[j] = centroids[label][j] + (float) noise.nextGaussian();
          }
          return RowFactory.create(x, label);
        }
      };
    }
  }
}
