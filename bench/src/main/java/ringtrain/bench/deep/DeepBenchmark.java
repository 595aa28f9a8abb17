package ringtrain.bench.deep;

import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import ringtrain.bench.BenchCli;
import ringtrain.bench.BenchResults;
import ringtrain.bench.Medians;
import ringtrain.bench.SparkRuns;
import ringtrain.bench.netlab.NetLab;
import ringtrain.common.bench.Benchmark;
import ringtrain.common.config.JobConfig;
import ringtrain.common.metrics.MetricsSink;
import ringtrain.common.metrics.StepMetrics;
import ringtrain.common.numeric.Dtype;
import ringtrain.driver.config.ConfigLoader;
import ringtrain.worker.comm.Collective;
import ringtrain.worker.comm.InProcessCollective;
import ringtrain.worker.data.DatasetLoader;
import ringtrain.worker.data.MiniBatches;
import ringtrain.worker.data.TrainTest;
import ringtrain.worker.loop.TrainingLoop;
import ringtrain.worker.loop.TrainingPlan;
import ringtrain.worker.model.Dl4jGradientEngine;
import ringtrain.worker.model.GradientEngine;
import ringtrain.worker.model.NetworkFactory;
import ringtrain.worker.precision.LowPrecisionGrid;
import ringtrain.worker.remat.LayerEngine;

/**
 * {@code ringtrain bench deep}: the two claims of activation recomputation and overlap on a deep
 * MLP, each measured in one run.
 *
 * <ol>
 *   <li>Recomputation: peak activation bytes (the layer engine's meter) and forward+backward time
 *       with √L segments against the plain path (DL4J's own engine for time, the layer engine
 *       without segments for memory: both hold every layer input). Targets: memory ≤ 2/√L of plain,
 *       time ≤ 1.4× plain.
 *   <li>Overlap: whole optimizer steps at N = 2 with and without bucketed all-reduce during
 *       backward, (a) as in production, each rank an executor JVM of one core on an embedded Spark
 *       cluster with the Aeron ring, and (b) both ranks as threads of this JVM with the in-process
 *       collective. Target: the overlapped step is shorter than compute + communication back to
 *       back (the non-overlapped step).
 * </ol>
 *
 * Rounds alternate between the variants so machine noise hits both alike; medians are reported.
 */
@Command(
    name = "deep",
    mixinStandardHelpOptions = true,
    description = "Activation recomputation memory/time and comm/backward overlap on a deep MLP.")
public final class DeepBenchmark implements Benchmark, Callable<Integer> {

  @Option(names = "--depth", description = "Hidden layers (default ${DEFAULT-VALUE}).")
  int depth = 32;

  @Option(names = "--width", description = "Units per hidden layer (default ${DEFAULT-VALUE}).")
  int width = 512;

  @Option(names = "--batch", description = "Micro-batch per rank (default ${DEFAULT-VALUE}).")
  int batch = 128;

  @Option(names = "--rounds", description = "Alternating rounds (default ${DEFAULT-VALUE}).")
  int rounds = 5;

  @Option(
      names = "--steps",
      description = "Steps per round and variant (default ${DEFAULT-VALUE}).")
  int steps = 4;

  @Option(names = "--bucket-mb", description = "Bucket size in MiB (default ${DEFAULT-VALUE}).")
  int bucketMb = 4;

  @Option(
      names = "--master",
      description =
          "Spark master of the executor measurement of overlap; empty skips it"
              + " (default ${DEFAULT-VALUE}).")
  String master = "local-cluster[2,1,2048]";

  @Option(
      names = "--transport",
      description =
          "comm.aeron.transport of the executor measurement: udp (a media driver per executor) or"
              + " ipc (one shared media driver, the executors on one host; default"
              + " ${DEFAULT-VALUE}).")
  String transport = "udp";

  @Option(
      names = "--spark-steps",
      description =
          "Steps per Spark run; the first quarter is left out of the averages"
              + " (default ${DEFAULT-VALUE}).")
  int sparkSteps = 40;

  @Option(
      names = "--netlab",
      description =
          "Measure only the overlap, over a network lab (deploy/bin/netlab, needs root): N,RATE"
              + "[,LOSS], each rank a process in its own lab host, links shaped to RATE.")
  String netlab;

  @Option(names = "--results", description = "Directory for the JSON result.")
  Path results = Paths.get("bench/results");

  @Override
  public String name() {
    return "deep";
  }

  @Override
  public String description() {
    return "activation recomputation and comm/backward overlap on a deep MLP";
  }

  @Override
  public int run(String[] args) {
    return BenchCli.execute(new DeepBenchmark(), args);
  }

  private JobConfig job(String... extra) {
    return JobConfig.from(ConfigLoader.load(null, overrides(extra)));
  }

  private List<String> overrides(String... extra) {
    List<String> overrides =
        new ArrayList<>(
            List.of(
                "data.format=synthetic",
                "data.synthetic.features=" + width,
                "data.synthetic.train_examples=" + (batch * 2 * 8),
                "data.synthetic.test_examples=64",
                "model.type=deep_mlp",
                "model.depth=" + depth,
                "model.width=" + width,
                "train.micro_batch=" + batch,
                "train.steps=1000",
                "comm.bucket_mb=" + bucketMb));
    overrides.addAll(List.of(extra));
    return overrides;
  }

  @Override
  public Integer call() throws Exception {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("benchmark", "deep");
    json.put("time", Instant.now().toString());
    json.put("cores", Runtime.getRuntime().availableProcessors());
    json.put("depth", depth);
    json.put("width", width);
    json.put("micro_batch", batch);
    json.put("rounds", rounds);
    json.put("steps_per_round", steps);
    if (netlab != null) {
      NetLab.Spec spec = NetLab.Spec.parse(netlab);
      List<String> job = overrides();
      job.set(2, "data.synthetic.train_examples=" + (batch * spec.hosts() * 8));
      json.put("overlap_netlab", LabOverlap.measure(spec, job, bucketMb, rounds, steps));
    } else {
      json.put("remat", remat());
      if (!master.isBlank()) {
        json.put("overlap_spark", overlapOnSpark());
      }
      json.put("overlap", overlap());
    }
    BenchResults.write(results, "deep", json);
    return 0;
  }

  private Map<String, Object> remat() {
    JobConfig job = job("train.world_size=1");
    TrainTest data = DatasetLoader.load(job.data(), job.train().seed());
    int[] shape = data.train().shape();
    int classes = data.train().numClasses();
    long seed = job.train().seed();
    MultiLayerNetwork plainNet = NetworkFactory.build(job.model(), shape, classes, seed);
    GradientEngine plain = new Dl4jGradientEngine(plainNet);
    LayerEngine layered =
        new LayerEngine(
            NetworkFactory.build(job.model(), shape, classes, seed),
            0,
            LowPrecisionGrid.of(Dtype.FP32));
    LayerEngine remat =
        new LayerEngine(
            NetworkFactory.build(job.model(), shape, classes, seed),
            -1,
            LowPrecisionGrid.of(Dtype.FP32));
    int[] indices = new int[batch];
    Arrays.setAll(indices, i -> i);
    DataSet mb = MiniBatches.of(data.train(), indices, false);

    for (int w = 0; w < 2; w++) {
      plain.computeGradient(mb);
      layered.computeGradient(mb);
      remat.computeGradient(mb);
    }
    double[] plainMs = new double[rounds];
    double[] layeredMs = new double[rounds];
    double[] rematMs = new double[rounds];
    for (int r = 0; r < rounds; r++) {
      plainMs[r] = time(plain, mb);
      layeredMs[r] = time(layered, mb);
      rematMs[r] = time(remat, mb);
    }
    int layers = remat.layerCount();
    long plainPeak = layered.meter().peak();
    long rematPeak = remat.meter().peak();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("layers", layers);
    m.put("params", plainNet.numParams());
    m.put("segments", remat.segments().count());
    m.put("plain_peak_activation_bytes", plainPeak);
    m.put("remat_peak_activation_bytes", rematPeak);
    m.put("memory_ratio", (double) rematPeak / plainPeak);
    m.put("memory_target_2_over_sqrt_L", 2 / Math.sqrt(layers));
    m.put("dl4j_plain_ms_median", Medians.of(plainMs));
    m.put("layer_engine_ms_median", Medians.of(layeredMs));
    m.put("remat_ms_median", Medians.of(rematMs));
    m.put("time_ratio_vs_dl4j", Medians.of(rematMs) / Medians.of(plainMs));
    m.put("time_target", 1.4);
    System.out.printf(
        "remat: L=%d, %d segments: peak activations %.1f MiB vs %.1f MiB plain (%.3f, target <= %.3f);"
            + " fwd+bwd %.1f ms vs %.1f ms DL4J (%.2fx, target <= 1.4), layer engine %.1f ms%n",
        layers,
        remat.segments().count(),
        rematPeak / 1048576.0,
        plainPeak / 1048576.0,
        (double) rematPeak / plainPeak,
        2 / Math.sqrt(layers),
        Medians.of(rematMs),
        Medians.of(plainMs),
        Medians.of(rematMs) / Medians.of(plainMs),
        Medians.of(layeredMs));
    return m;
  }

  private double time(GradientEngine engine, DataSet mb) {
    long start = System.nanoTime();
    for (int s = 0; s < steps; s++) {
      Nd4j.getRandom().setSeed(s);
      engine.computeGradient(mb);
    }
    return (System.nanoTime() - start) / 1e6 / steps;
  }

  /**
   * Overlap off and on, alternating, each a whole training run of {@link #sparkSteps} on one
   * SparkContext (executors and their Aeron rings stay up between runs only as Spark keeps them).
   */
  private Map<String, Object> overlapOnSpark() throws Exception {
    double[][] off = new double[rounds][];
    double[][] on = new double[rounds][];
    try (SparkRuns runs = new SparkRuns()) {
      for (int r = 0; r < rounds; r++) {
        for (boolean overlap : new boolean[] {false, true}) {
          List<String> overrides =
              overrides(
                  "cluster.master=\"" + master + "\"",
                  "train.world_size=2",
                  "train.steps=" + sparkSteps,
                  "schedule.warmup_steps=" + sparkSteps / 4,
                  "train.eval_every_epoch=false",
                  "run.log_every=1",
                  "run.name=deep-overlap",
                  "snapshot.at_end=false",
                  "comm.aeron.transport=" + transport,
                  "comm.overlap=" + overlap);
          double[] medians = medians(runs.train(null, overrides, sparkSteps / 4));
          if (overlap) {
            on[r] = medians;
          } else {
            off[r] = medians;
          }
          System.out.printf(
              Locale.ROOT,
              "overlap on Spark, round %d, overlap %-5s: step %.1f ms (compute %.1f, comm %.1f,"
                  + " hidden %.1f)%n",
              r + 1,
              overlap,
              medians[0],
              medians[1],
              medians[2],
              medians[3]);
        }
      }
    }
    double offStep = Medians.of(column(off, 0));
    double onStep = Medians.of(column(on, 0));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("world_size", 2);
    m.put("collective", "Aeron ring between executor JVMs, " + master);
    m.put("transport", transport);
    m.put("bucket_mb", bucketMb);
    m.put("steps_per_run", sparkSteps);
    m.put("off_step_ms", offStep);
    m.put("off_compute_ms", Medians.of(column(off, 1)));
    m.put("off_comm_ms", Medians.of(column(off, 2)));
    m.put("on_step_ms", onStep);
    m.put("on_compute_ms", Medians.of(column(on, 1)));
    m.put("on_comm_ms", Medians.of(column(on, 2)));
    m.put("on_overlap_ms", Medians.of(column(on, 3)));
    m.put("off_rounds_step_ms", column(off, 0));
    m.put("on_rounds_step_ms", column(on, 0));
    m.put("step_ratio_on_vs_back_to_back", onStep / offStep);
    System.out.printf(
        Locale.ROOT,
        "overlap (N=2 executors, Aeron): step %.1f ms with overlap vs %.1f ms back to back:"
            + " %.2fx%n",
        onStep,
        offStep,
        onStep / offStep);
    return m;
  }

  private static double[] column(double[][] rows, int c) {
    return Arrays.stream(rows).mapToDouble(r -> r[c]).toArray();
  }

  /** Medians of rank 0's per-step {step, compute, comm, overlap} ms. */
  private static double[] medians(List<StepMetrics> steps) {
    return new double[] {
      Medians.of(steps.stream().mapToDouble(StepMetrics::stepMs).toArray()),
      Medians.of(steps.stream().mapToDouble(StepMetrics::computeMs).toArray()),
      Medians.of(steps.stream().mapToDouble(StepMetrics::commMs).toArray()),
      Medians.of(steps.stream().mapToDouble(StepMetrics::overlapMs).toArray())
    };
  }

  private Map<String, Object> overlap() throws Exception {
    JobConfig off = job("train.world_size=2");
    JobConfig on = job("train.world_size=2", "comm.overlap=true");
    TrainTest data = DatasetLoader.load(off.data(), off.train().seed());
    List<double[]> offRuns = new ArrayList<>();
    List<double[]> onRuns = new ArrayList<>();
    Pair offPair = new Pair(off, data);
    Pair onPair = new Pair(on, data);
    offPair.steps(2);
    onPair.steps(2);
    for (int r = 0; r < rounds; r++) {
      offRuns.add(offPair.steps(steps));
      onRuns.add(onPair.steps(steps));
    }
    offPair.close();
    onPair.close();
    double offStep = median(offRuns, 0);
    double offCompute = median(offRuns, 1);
    double offComm = median(offRuns, 2);
    double onStep = median(onRuns, 0);
    double onCompute = median(onRuns, 1);
    double onComm = median(onRuns, 2);
    double onOverlap = median(onRuns, 3);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("world_size", 2);
    m.put("collective", "in-process (threads in one JVM)");
    m.put("bucket_mb", bucketMb);
    m.put("off_step_ms", offStep);
    m.put("off_compute_ms", offCompute);
    m.put("off_comm_ms", offComm);
    m.put("on_step_ms", onStep);
    m.put("on_compute_ms", onCompute);
    m.put("on_comm_ms", onComm);
    m.put("on_overlap_ms", onOverlap);
    // The step without overlap is compute, then communication, then the update, back to back.
    m.put("off_update_ms", offStep - offCompute - offComm);
    m.put("step_ratio_on_vs_back_to_back", onStep / offStep);
    System.out.printf(
        "overlap (N=2 in-process): step %.1f ms with overlap (compute %.1f, comm %.1f, hidden %.1f)"
            + " vs %.1f ms back to back (compute %.1f + comm %.1f + update %.1f): %.2fx%n",
        onStep,
        onCompute,
        onComm,
        onOverlap,
        offStep,
        offCompute,
        offComm,
        offStep - offCompute - offComm,
        onStep / offStep);
    return m;
  }

  /** Two ranks of one job, kept alive across rounds. */
  private final class Pair {
    private final List<TrainingLoop> loops = new ArrayList<>();
    private final List<Collective> group;
    private final ExecutorService threads = Executors.newFixedThreadPool(2);
    private long next;

    Pair(JobConfig job, TrainTest data) {
      TrainingPlan plan = TrainingPlan.of(job, data.train().size());
      group = InProcessCollective.group(2, Duration.ofSeconds(120));
      for (Collective c : group) {
        loops.add(new TrainingLoop(job, plan, data, c, MetricsSink.NONE, null));
      }
    }

    /** Runs {@code n} steps on both ranks; rank 0's mean {step, compute, comm, overlap} ms. */
    double[] steps(int n) throws Exception {
      long first = next;
      next += n;
      List<Future<double[]>> futures = new ArrayList<>();
      for (TrainingLoop loop : loops) {
        futures.add(
            threads.submit(
                () -> {
                  double[] sum = new double[4];
                  for (long s = first; s < first + n; s++) {
                    TrainingLoop.StepOutcome o = loop.step(s);
                    sum[0] += o.stepNanos() / 1e6 / n;
                    sum[1] += o.computeNanos() / 1e6 / n;
                    sum[2] += o.commNanos() / 1e6 / n;
                    sum[3] += o.overlapNanos() / 1e6 / n;
                  }
                  return sum;
                }));
      }
      double[] rank0 = futures.get(0).get();
      futures.get(1).get();
      return rank0;
    }

    void close() {
      threads.shutdownNow();
      group.forEach(Collective::close);
    }
  }

  private static double median(List<double[]> runs, int column) {
    return Medians.of(runs.stream().mapToDouble(r -> r[column]).toArray());
  }
}
