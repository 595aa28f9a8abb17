package ringtrain.bench.step;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.api.NeuralNetwork;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.learning.config.Adam;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import ringtrain.bench.BenchCli;
import ringtrain.bench.BenchResults;
import ringtrain.bench.Medians;
import ringtrain.common.bench.Benchmark;
import ringtrain.common.config.JobConfig;
import ringtrain.common.config.ModelConfig;
import ringtrain.common.metrics.MetricsSink;
import ringtrain.driver.config.ConfigLoader;
import ringtrain.worker.comm.Collective;
import ringtrain.worker.comm.InProcessCollective;
import ringtrain.worker.data.BatchPlan;
import ringtrain.worker.data.DatasetLoader;
import ringtrain.worker.data.MiniBatches;
import ringtrain.worker.data.TrainTest;
import ringtrain.worker.loop.TrainingLoop;
import ringtrain.worker.loop.TrainingPlan;
import ringtrain.worker.model.NetworkFactory;
import ringtrain.worker.model.NetworkSource;

/**
 * {@code ringtrain bench step}: one ringtrain optimizer step (batch assembly, forward/backward,
 * gradient accumulation buffer, global-norm clipping, AdamW on the flat vector) against DL4J's own
 * own {@code fit} ({@code MultiLayerNetwork.fit}, or {@code ComputationGraph.fit} for a graph such
 * as the residual example) with its Adam updater, on the same model and batch size, in one process.
 * Rounds alternate between the two so machine noise hits both alike; the ratio of medians is
 * reported.
 */
@Command(
    name = "step",
    mixinStandardHelpOptions = true,
    description =
        "Time one ringtrain step against DL4J's own fit (MultiLayerNetwork or ComputationGraph)"
            + " on the same model and batch.")
public final class StepBenchmark implements Benchmark, Callable<Integer> {

  @Option(
      names = "--conf",
      description =
          "Job files to benchmark (default: the Fashion-MNIST MLP, CNN and residual graph"
              + " examples).")
  List<Path> confs =
      new ArrayList<>(
          List.of(
              Paths.get("conf/examples/fashion-mlp.conf"),
              Paths.get("conf/examples/fashion-cnn.conf"),
              Paths.get("conf/examples/fashion-resnet.conf")));

  @Option(
      names = "--rounds",
      description = "Alternating measurement rounds (default ${DEFAULT-VALUE}).")
  int rounds = 10;

  @Option(names = "--steps", description = "Steps per round and side (default ${DEFAULT-VALUE}).")
  int steps = 20;

  @Option(names = "--warmup", description = "Warm-up steps per side (default ${DEFAULT-VALUE}).")
  int warmup = 30;

  @Option(
      names = "--results",
      description = "Directory for the JSON result (default ${DEFAULT-VALUE}).")
  Path results = Paths.get("bench/results");

  @Override
  public String name() {
    return "step";
  }

  @Override
  public String description() {
    return "one ringtrain step vs DL4J's own fit (MultiLayerNetwork or ComputationGraph)";
  }

  @Override
  public int run(String[] args) {
    return BenchCli.execute(new StepBenchmark(), args);
  }

  @Override
  public Integer call() throws IOException {
    List<Map<String, Object>> models = new ArrayList<>();
    for (Path conf : confs) {
      models.add(measure(conf));
    }
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("benchmark", "step");
    json.put("time", Instant.now().toString());
    json.put("cores", Runtime.getRuntime().availableProcessors());
    json.put("rounds", rounds);
    json.put("steps_per_round", steps);
    json.put("models", models);
    BenchResults.write(results, "step", json);
    return 0;
  }

  private Map<String, Object> measure(Path conf) {
    JobConfig job =
        JobConfig.from(
            ConfigLoader.load(conf, List.of("train.world_size=1", "train.accumulation=1")));
    TrainTest data = DatasetLoader.load(job.data(), job.train().seed());
    TrainingPlan plan = TrainingPlan.of(job, data.train().size());
    Collective solo = InProcessCollective.group(1, job.comm().timeout()).get(0);
    TrainingLoop ringtrain = new TrainingLoop(job, plan, data, solo, MetricsSink.NONE, null);
    boolean images = data.train().shape().length == 3 && ringtrain.model().imageInput();

    NeuralNetwork dl4j = dl4jNetwork(job, plan, data);
    BatchPlan batches =
        new BatchPlan(
            data.train().size(),
            1,
            job.train().microBatch(),
            1,
            job.data().shuffle(),
            job.train().seed());
    // DL4J gets its batches prebuilt (as from a DataSetIterator); ringtrain assembles its own
    // inside the step.
    int distinct = 32;
    DataSet[] prebuilt = new DataSet[distinct];
    for (int i = 0; i < distinct; i++) {
      prebuilt[i] = MiniBatches.of(data.train(), batches.indices(i, 0, 0), images);
    }

    long step = 0;
    for (int i = 0; i < warmup; i++) {
      ringtrain.step(step++);
      dl4j.fit(prebuilt[i % distinct]);
    }
    double[] ours = new double[rounds];
    double[] theirs = new double[rounds];
    for (int r = 0; r < rounds; r++) {
      long t0 = System.nanoTime();
      for (int i = 0; i < steps; i++) {
        ringtrain.step(step++);
      }
      long t1 = System.nanoTime();
      for (int i = 0; i < steps; i++) {
        dl4j.fit(prebuilt[i % distinct]);
      }
      long t2 = System.nanoTime();
      ours[r] = (t1 - t0) / 1e6 / steps;
      theirs[r] = (t2 - t1) / 1e6 / steps;
    }
    solo.close();
    double oursMedian = Medians.of(ours);
    double theirsMedian = Medians.of(theirs);
    double ratio = oursMedian / theirsMedian;
    long params = ((Model) dl4j).numParams();
    System.out.printf(
        Locale.ROOT,
        "%-14s %-17s params %9d  batch %4d  ringtrain %8.3f ms  dl4j fit %8.3f ms  ratio %.3f%n",
        job.run().name(),
        dl4j.getClass().getSimpleName(),
        params,
        job.train().microBatch(),
        oursMedian,
        theirsMedian,
        ratio);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("model", job.run().name());
    m.put("conf", conf.toString());
    m.put("network", dl4j.getClass().getSimpleName());
    m.put("params", params);
    m.put("batch", job.train().microBatch());
    m.put("ringtrain_step_ms_median", oursMedian);
    m.put("dl4j_fit_ms_median", theirsMedian);
    m.put("ratio", ratio);
    m.put("ringtrain_step_ms_rounds", ours);
    m.put("dl4j_fit_ms_rounds", theirs);
    return m;
  }

  /**
   * The same network for DL4J's own {@code fit}, with DL4J's Adam at ringtrain's peak learning rate
   * and betas: a MultiLayerNetwork for the built-in models, a MultiLayerNetwork or a
   * ComputationGraph from the JSON of {@code model.type = dl4j}.
   */
  private static NeuralNetwork dl4jNetwork(JobConfig job, TrainingPlan plan, TrainTest data) {
    int[] shape = data.train().shape();
    int classes = data.train().numClasses();
    long seed = job.train().seed();
    Adam adam =
        new Adam(plan.peakLr(), job.optim().beta1(), job.optim().beta2(), job.optim().eps());
    if (job.model().type() != ModelConfig.Type.DL4J) {
      MultiLayerConfiguration conf =
          NetworkFactory.configuration(job.model(), shape, classes, seed);
      conf.getConfs().forEach(layer -> withUpdater(layer.getLayer(), adam));
      MultiLayerNetwork net = new MultiLayerNetwork(conf);
      net.init();
      return net;
    }
    String json = NetworkSource.json(job.model(), shape, classes, seed);
    if (!NetworkSource.isGraph(json)) {
      MultiLayerConfiguration conf = MultiLayerConfiguration.fromJson(json);
      conf.getConfs().forEach(layer -> withUpdater(layer.getLayer(), adam));
      MultiLayerNetwork net = new MultiLayerNetwork(conf);
      net.init();
      return net;
    }
    ComputationGraphConfiguration conf = ComputationGraphConfiguration.fromJson(json);
    for (var vertex : conf.getVertices().values()) {
      if (vertex instanceof LayerVertex layer) {
        withUpdater(layer.getLayerConf().getLayer(), adam);
      }
    }
    ComputationGraph graph = new ComputationGraph(conf);
    graph.init();
    return graph;
  }

  private static void withUpdater(org.deeplearning4j.nn.conf.layers.Layer layer, Adam adam) {
    if (layer instanceof BaseLayer base) {
      base.setIUpdater(adam);
    }
  }
}
