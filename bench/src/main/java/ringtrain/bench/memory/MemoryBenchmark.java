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
import java.util.concurrent.Callable;
import org.apache.spark.SparkContext;
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
import ringtrain.common.bench.Benchmark;
import ringtrain.common.config.ConfigReader;
import ringtrain.common.config.DataConfig;
import ringtrain.common.config.JobConfig;
import ringtrain.common.config.key.DataKeys;
import ringtrain.driver.config.ConfigLoader;
import ringtrain.driver.launch.ClusterConfig;
import ringtrain.driver.launch.SparkLauncher;
import ringtrain.driver.run.TrainRun;
import ringtrain.worker.data.DatasetLoader;
import ringtrain.worker.data.TrainTest;

/**
 * {@code ringtrain bench memory}: peak executor memory of the same Fashion-MNIST job at N = 2 with
 * placement replicate (the IDX files broadcast) and placement shard (the same examples as Parquet),
 * the shard's features once as one-byte codes (data.shard.encoding = auto, the default) and once as
 * float32, run side by side, each on a fresh embedded cluster. Target: shard ≤ 0.6× replicate.
 *
 * <p>Two measures of each run. Spark's executor metrics: the peaks of used heap, non-heap, direct
 * and mapped buffers while tasks ran; used heap counts garbage. {@link LiveMemory}: every {@code
 * --sample-ms} a full collection in each executor, then heap still used, non-heap, direct and
 * mapped buffers: what the executor holds. The mapped buffers are Aeron's term buffers, alike in
 * both runs and sized by {@code --term-kb}. The executors run the serial collector with a fixed 64
 * MiB young generation in both runs.
 */
@Command(
    name = "memory",
    mixinStandardHelpOptions = true,
    description = "Peak executor memory, placement shard vs replicate, N = 2 on Fashion-MNIST.")
public final class MemoryBenchmark implements Benchmark, Callable<Integer> {
  private static final String FASHION = "/usr/share/datasets/fashion-mnist";

  @Option(names = "--master", description = "Spark master (default ${DEFAULT-VALUE}).")
  String master = "local-cluster[2,1,1024]";

  @Option(names = "--steps", description = "Training steps per run (default ${DEFAULT-VALUE}).")
  int steps = 200;

  @Option(
      names = "--term-kb",
      description =
          "comm.aeron.term_length_kb of both runs (default ${DEFAULT-VALUE}: a few of this"
              + " model's 0.9 MB gradients; the job's default is 16384).")
  int termKb = 1024;

  @Option(
      names = "--sample-ms",
      description =
          "Interval of the live-memory samples: a full collection in each executor, then the"
              + " memory still in use (default ${DEFAULT-VALUE}).")
  long sampleMs = 2000;

  @Option(
      names = "--results",
      description = "Directory for the JSON result (default ${DEFAULT-VALUE}).")
  Path results = Paths.get("bench/results");

  @Override
  public String name() {
    return "memory";
  }

  @Override
  public String description() {
    return "peak executor memory, data.placement shard vs replicate, N = 2 on Fashion-MNIST";
  }

  @Override
  public int run(String[] args) {
    return BenchCli.execute(this, args);
  }

  @Override
  public Integer call() throws IOException, InterruptedException {
    Path work = Files.createTempDirectory("ringtrain-bench-memory-");
    String parquet = work.resolve("fashion").toUri().toString();
    exportFashion(parquet);
    System.setProperty("spark.executor.metrics.pollingInterval", "50ms");
    System.setProperty("spark.executor.processTreeMetrics.enabled", "true");
    System.setProperty("spark.executor.extraJavaOptions", "-XX:+UseSerialGC -Xmn64m");

    List<String> common =
        List.of(
            "cluster.master=\"" + master + "\"",
            "train.world_size=2",
            "train.micro_batch=64",
            "train.steps=" + steps,
            "train.eval_every_epoch=false",
            "schedule.warmup_steps=20",
            "model.hidden=[256, 128]",
            "run.log_every=50",
            "snapshot.at_end=false",
            "comm.aeron.term_length_kb=" + termKb);
    List<String> replicate = new ArrayList<>(common);
    replicate.addAll(
        List.of("data.format=idx", "data.dir=\"" + FASHION + "\"", "data.placement=replicate"));
    List<String> shard = new ArrayList<>(common);
    shard.addAll(
        List.of(
            "data.format=spark",
            "data.path=\"" + parquet + "/train\"",
            "data.test_path=\"" + parquet + "/test\"",
            "data.features=[features]",
            "data.shape=[1, 28, 28]",
            "data.normalize=scale",
            "data.placement=shard"));

    List<String> shardFloat32 = new ArrayList<>(shard);
    shardFloat32.add("data.shard.encoding=float32");

    Map<String, Object> rows = new LinkedHashMap<>();
    rows.put("replicate", measure(replicate, work.resolve("replicate")));
    rows.put("shard", measure(shard, work.resolve("shard")));
    rows.put("shard_float32", measure(shardFloat32, work.resolve("shard-float32")));
    double ratio = (double) peak(rows, "shard") / peak(rows, "replicate");
    double liveRatio = (double) peak(rows, "shard", LIVE) / peak(rows, "replicate", LIVE);
    double liveFloat32Ratio =
        (double) peak(rows, "shard_float32", LIVE) / peak(rows, "replicate", LIVE);
    System.out.printf(
        Locale.ROOT,
        "peak executor heap + off-heap (Spark's metrics, garbage included): replicate %.0f MiB,"
            + " shard %.0f MiB: shard / replicate = %.2f%n",
        peak(rows, "replicate") / 1048576.0,
        peak(rows, "shard") / 1048576.0,
        ratio);
    System.out.printf(
        Locale.ROOT,
        "peak live executor memory (heap after a full collection + non-heap + direct + mapped):"
            + " replicate %.0f MiB, shard %.0f MiB: shard / replicate = %.2f (target <= 0.60)%n",
        peak(rows, "replicate", LIVE) / 1048576.0,
        peak(rows, "shard", LIVE) / 1048576.0,
        liveRatio);
    System.out.printf(
        Locale.ROOT,
        "the same with the shard's features as float32 (data.shard.encoding = float32): shard"
            + " %.0f MiB: shard / replicate = %.2f%n",
        peak(rows, "shard_float32", LIVE) / 1048576.0,
        liveFloat32Ratio);

    Map<String, Object> json = new LinkedHashMap<>();
    json.put("benchmark", "memory");
    json.put("master", master);
    json.put("world_size", 2);
    json.put("steps", steps);
    json.put("executor_java_options", "-XX:+UseSerialGC -Xmn64m");
    json.put("host_cores", Runtime.getRuntime().availableProcessors());
    json.put("runs", rows);
    json.put("comm_aeron_term_length_kb", termKb);
    json.put("live_sample_ms", sampleMs);
    json.put("shard_over_replicate", ratio);
    json.put("live_shard_over_replicate", liveRatio);
    json.put("live_shard_float32_over_replicate", liveFloat32Ratio);
    BenchResults.write(results, "memory", json);
    return 0;
  }

  private static final String LIVE = "max_live_total";

  private static long peak(Map<String, Object> rows, String key) {
    return peak(rows, key, "max_heap_plus_offheap");
  }

  @SuppressWarnings("unchecked")
  private static long peak(Map<String, Object> rows, String key, String metric) {
    return (Long) ((Map<String, Object>) rows.get(key)).get(metric);
  }

  /** One run on a fresh context of its own, with the peaks of its executors. */
  private Map<String, Object> measure(List<String> overrides, Path out)
      throws InterruptedException {
    var resolved = ConfigLoader.load(null, overrides);
    JobConfig job = JobConfig.from(resolved);
    ClusterConfig cluster = ClusterConfig.from(new ConfigReader(resolved));
    SparkContext sc = SparkLauncher.createContext(cluster, job);
    ExecutorPeaks peaks = new ExecutorPeaks();
    sc.addSparkListener(peaks);
    TrainRun.Result result;
    LiveMemory live = new LiveMemory(sampleMs);
    try {
      result = new TrainRun(null, overrides, out, false).execute();
    } finally {
      live.close();
      sc.stop();
    }
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("placement", job.data().placement().key());
    row.put("format", job.data().format().key());
    row.put("shard_encoding", job.data().shardEncoding().key());
    row.put("executors", peaks.byExecutor());
    row.put("max_heap_plus_offheap", peaks.maxHeapPlusOffHeap());
    row.put("live", live.byExecutor());
    row.put(LIVE, live.maxTotal());
    row.put("live_series", live.series());
    row.put("examples_per_s", result.summary().examplesPerS());
    row.put("test_accuracy", result.training().eval().testAccuracy());
    return row;
  }

  /**
   * The examples being written by {@link #writeParquet}; read by its task, which on {@code
   * local[1]} runs in this JVM, so the rows are made one at a time instead of as one list.
   */
  private static volatile ringtrain.worker.data.Dataset writing;

  /** Fashion-MNIST as Parquet (raw pixels, example order, one file each), as `data export` does. */
  private static void exportFashion(String to) {
    TrainTest raw =
        DatasetLoader.load(
            DataConfig.of(
                DataKeys.DIR.is(FASHION), DataKeys.NORMALIZE.is(DataConfig.Normalize.NONE)),
            0);
    SparkSession spark =
        SparkSession.builder()
            .master("local[1]")
            .appName("ringtrain bench memory export")
            .config("spark.ui.enabled", "false")
            .getOrCreate();
    try {
      writeParquet(spark, raw.train(), to + "/train");
      writeParquet(spark, raw.test(), to + "/test");
    } finally {
      spark.stop();
    }
  }

  static void writeParquet(SparkSession spark, ringtrain.worker.data.Dataset ds, String dir) {
    writing = ds;
    StructType schema =
        new StructType(
            new StructField[] {
              DataTypes.createStructField(
                  "features", DataTypes.createArrayType(DataTypes.FloatType, false), false),
              DataTypes.createStructField("label", DataTypes.IntegerType, false)
            });
    JavaRDD<Row> rows =
        new JavaSparkContext(spark.sparkContext())
            .parallelize(List.of(ds.size()), 1)
            .flatMap(new Rows());
    // Row groups as `ringtrain data export` writes them (16 MiB): a reader holds a whole row
    // group's column chunk, and Parquet's 128 MiB default spikes one executor's heap.
    spark
        .createDataFrame(rows, schema)
        .write()
        .option("parquet.block.size", 16L << 20)
        .parquet(dir);
    writing = null;
  }

  /** Row i: features i as a float list, label i. */
  private static final class Rows implements FlatMapFunction<Integer, Row> {
    private static final long serialVersionUID = 1L;

    @Override
    public Iterator<Row> call(Integer n) {
      ringtrain.worker.data.Dataset ds = writing;
      int d = ds.featureCount();
      return new Iterator<>() {
        int i;

        @Override
        public boolean hasNext() {
          return i < n;
        }

        @Override
        public Row next() {
          // A float[] is what Spark's row encoder takes for array<float> without boxing.
          float[] x = new float[d];
          ds.copyFeatures(i, x, 0);
          return RowFactory.create(x, ds.label(i++));
        }
      };
    }
  }
}
