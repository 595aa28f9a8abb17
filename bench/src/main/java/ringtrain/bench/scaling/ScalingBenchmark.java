package ringtrain.bench.scaling;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import ringtrain.bench.BenchCli;
import ringtrain.bench.BenchResults;
import ringtrain.bench.SparkRuns;
import ringtrain.bench.netlab.LabTraining;
import ringtrain.bench.netlab.NetLab;
import ringtrain.common.bench.Benchmark;
import ringtrain.common.metrics.StepMetrics;

/**
 * {@code ringtrain bench scaling}: step time of N = 1 and N = 2 ranks on the same per-rank
 * micro-batch, each rank one executor JVM with one core on an embedded Spark cluster, split into
 * compute (forward/backward, clipping, optimizer) and communication (the ring all-reduce). Both
 * world sizes run on one SparkContext in one run, so the ratio compares like with like.
 */
@Command(
    name = "scaling",
    mixinStandardHelpOptions = true,
    description = "Step time and compute/communication split for N = 1 and N = 2 ranks on Spark.")
public final class ScalingBenchmark implements Benchmark, Callable<Integer> {

  @Option(names = "--conf", description = "Job file (default ${DEFAULT-VALUE}).")
  Path conf = Paths.get("conf/examples/fashion-mlp.conf");

  @Option(
      names = "--micro-batch",
      description = "Per-rank micro-batch b (default ${DEFAULT-VALUE}).")
  int microBatch = 64;

  @Option(names = "--steps", description = "Steps per world size (default ${DEFAULT-VALUE}).")
  int steps = 800;

  @Option(
      names = "--warmup",
      description = "Leading steps left out of the averages (default ${DEFAULT-VALUE}).")
  int warmup = 300;

  @Option(names = "--master", description = "Spark master (default ${DEFAULT-VALUE}).")
  String master = "local-cluster[2,1,2048]";

  @Option(
      names = "--netlab",
      description =
          "Run N = 1 .. HOSTS over a network lab instead of Spark (deploy/bin/netlab, needs"
              + " root): HOSTS,RATE[,LOSS], each rank a process in its own lab host.")
  String netlab;

  @Option(
      names = "--results",
      description = "Directory for the JSON result (default ${DEFAULT-VALUE}).")
  Path results = Paths.get("bench/results");

  @Override
  public String name() {
    return "scaling";
  }

  @Override
  public String description() {
    return "step time and compute/communication split, N = 1 vs N = 2 on Spark";
  }

  @Override
  public int run(String[] args) {
    return BenchCli.execute(this, args);
  }

  @Override
  public Integer call() throws Exception {
    List<Map<String, Object>> rows = new ArrayList<>();
    if (netlab != null) {
      NetLab.Spec spec = NetLab.Spec.parse(netlab);
      try (NetLab lab = NetLab.up("rts", 4, spec)) {
        for (int world = 1; world <= spec.hosts(); world++) {
          rows.add(labRow(lab, world));
        }
      }
      print(rows);
      write(rows);
      return 0;
    }
    try (SparkRuns runs = new SparkRuns()) {
      for (int world : new int[] {1, 2}) {
        List<String> overrides =
            List.of(
                "cluster.master=\"" + master + "\"",
                "train.world_size=" + world,
                "train.micro_batch=" + microBatch,
                "train.steps=" + steps,
                "train.eval_every_epoch=false",
                "run.log_every=10",
                "run.name=scaling-n" + world,
                "snapshot.at_end=false");
        rows.add(row(runs.train(conf, overrides, warmup + 1), world, microBatch));
      }
    }
    print(rows);
    write(rows);
    return 0;
  }

  private void print(List<Map<String, Object>> rows) {
    System.out.printf(
        Locale.ROOT,
        "%-3s %8s %10s %12s %10s %8s %14s%n",
        "N",
        "b/rank",
        "step_ms",
        "compute_ms",
        "comm_ms",
        "comm_%",
        "examples/s");
    for (Map<String, Object> r : rows) {
      System.out.printf(
          Locale.ROOT,
          "%-3d %8d %10.2f %12.2f %10.2f %8.1f %14.0f%n",
          r.get("world_size"),
          r.get("micro_batch"),
          r.get("step_ms"),
          r.get("compute_ms"),
          r.get("comm_ms"),
          r.get("comm_share_pct"),
          r.get("examples_per_s"));
    }
    double one = (double) rows.get(0).get("examples_per_s");
    for (Map<String, Object> r : rows.subList(1, rows.size())) {
      int n = (int) r.get("world_size");
      System.out.printf(
          Locale.ROOT,
          "throughput N=%d / N=1: %.2fx (ideal %d.00x)%n",
          n,
          (double) r.get("examples_per_s") / one,
          n);
    }
  }

  private void write(List<Map<String, Object>> rows) throws IOException {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("benchmark", "scaling");
    json.put("conf", conf.toString());
    json.put("master", netlab == null ? master : "none: rank processes in network lab hosts");
    if (netlab != null) {
      json.put("netlab", netlab);
    }
    json.put("steps", steps);
    json.put("warmup_steps_excluded", warmup);
    json.put("host_cores", Runtime.getRuntime().availableProcessors());
    json.put("rows", rows);
    BenchResults.write(results, "scaling", json);
  }

  /** {@code world} rank processes in the first hosts of {@code lab}: rank 0's means per step. */
  private Map<String, Object> labRow(NetLab lab, int world) throws Exception {
    List<String> job = List.of("train.micro_batch=" + microBatch, "train.steps=" + steps);
    double[] kept;
    try (LabTraining ranks = new LabTraining(lab, world, conf, job, "1500m")) {
      ranks.loop("s", List.of());
      ranks.run("s", warmup);
      kept = ranks.run("s", steps - warmup);
    }
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("world_size", world);
    row.put("micro_batch", microBatch);
    row.put("step_ms", kept[0]);
    row.put("compute_ms", kept[0] - kept[2]);
    row.put("comm_ms", kept[2]);
    row.put("comm_share_pct", 100 * kept[2] / kept[0]);
    row.put("examples_per_s", world * microBatch / (kept[0] / 1000));
    row.put("steps_kept", steps - warmup);
    return row;
  }

  /** Means of rank 0's kept step records at one world size. */
  private static Map<String, Object> row(List<StepMetrics> kept, int world, int microBatch) {
    // Every record averages the same number of steps (run.log_every), so a plain mean is right.
    double step = mean(kept.stream().mapToDouble(StepMetrics::stepMs).toArray());
    double comm = mean(kept.stream().mapToDouble(StepMetrics::commMs).toArray());
    Map<String, Object> row = new LinkedHashMap<>();
    row.put("world_size", world);
    row.put("micro_batch", microBatch);
    row.put("step_ms", step);
    row.put("compute_ms", step - comm);
    row.put("comm_ms", comm);
    row.put("comm_share_pct", 100 * comm / step);
    row.put("examples_per_s", world * microBatch / (step / 1000));
    row.put("records", kept.size());
    return row;
  }

  private static double mean(double[] values) {
    return values.length == 0 ? Double.NaN : Arrays.stream(values).average().orElse(Double.NaN);
  }
}
