package ringtrain.worker.ddp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.withinPercentage;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.factory.Nd4j;
import ringtrain.common.config.JobConfig;
import ringtrain.common.metrics.EvalMetrics;
import ringtrain.common.metrics.GnsMetrics;
import ringtrain.common.metrics.MetricsSink;
import ringtrain.common.metrics.StepMetrics;
import ringtrain.worker.comm.Collective;
import ringtrain.worker.comm.InProcessCollective;
import ringtrain.worker.data.Dataset;
import ringtrain.worker.data.TrainTest;
import ringtrain.worker.loop.TrainingLoop;
import ringtrain.worker.loop.TrainingPlan;
import ringtrain.worker.optim.Golden;

/**
 * The live gradient noise scale of real training loops (one rank with accumulation, several ranks
 * over the in-process collective) against {@code gns_golden.py}: an independent NumPy computation
 * on the same tiny network, data and SGD steps. Within 1e-4 relative.
 */
class GradientNoiseScaleTest {
  private static final String FILE = "gns_golden.json";
  private static final double REL = 1e-4;

  static List<JsonNode> cases() {
    List<JsonNode> out = new ArrayList<>();
    Golden.json(FILE).get("cases").forEach(out::add);
    return out;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void shouldMatchTheNumPyNoiseScaleOfATinyModel(JsonNode c) throws Exception {
    List<GnsMetrics> reported = train(c);
    JsonNode expected = c.get("gns");
    assertThat(reported).hasSize(expected.size());
    for (int s = 0; s < expected.size(); s++) {
      JsonNode e = expected.get(s);
      GnsMetrics m = reported.get(s);
      String at = c.get("case").asText() + " step " + s + " ";
      assertThat(m.smallBatch()).isEqualTo(c.get("small_batch").asLong());
      assertThat(m.bigBatch()).isEqualTo(c.get("big_batch").asLong());
      close(at + "|G_b|²", m.smallSq(), e.get("small_sq").asDouble());
      close(at + "|G_B|²", m.bigSq(), e.get("big_sq").asDouble());
      close(at + "|G|²", m.gradSq(), e.get("grad_sq").asDouble());
      close(at + "tr Σ", m.trace(), e.get("trace").asDouble());
      close(at + "EMA |G|²", m.gradSqEma(), e.get("grad_sq_ema").asDouble());
      close(at + "EMA tr Σ", m.traceEma(), e.get("trace_ema").asDouble());
      if (e.get("b_simple").isNull()) {
        assertThat(m.bSimple()).as(at + "B_simple").isNaN();
      } else {
        close(at + "B_simple", m.bSimple(), e.get("b_simple").asDouble());
      }
    }
  }

  @Test
  void shouldDivideTheFp16LossScaleOut() throws Exception {
    JsonNode c = cases().get(0);
    List<GnsMetrics> reported =
        train(
            c,
            "precision.compute = fp16",
            "precision.mode = emulated",
            "precision.loss_scale.init = 1024");
    JsonNode expected = c.get("gns");
    for (int s = 0; s < expected.size(); s++) {
      // fp16 activations and gradients hold about three digits; a loss scale left in would be
      // off by 1024² = 1e6.
      double small = expected.get(s).get("small_sq").asDouble();
      double big = expected.get(s).get("big_sq").asDouble();
      assertThat(reported.get(s).smallSq()).isCloseTo(small, withinPercentage(3));
      assertThat(reported.get(s).bigSq()).isCloseTo(big, withinPercentage(3));
    }
  }

  @Test
  void shouldKeepTheLastEstimateThroughANonFiniteStep() {
    GradientNoiseScale gns = new GradientNoiseScale(4, 16, 0.5);
    assertThat(gns.update(Double.POSITIVE_INFINITY, 1.0)).isNull();
    GnsMetrics first = gns.update(2.0, 1.0);
    assertThat(gns.update(Double.NaN, 1.0)).isSameAs(first);
    // |G|² = (16·1 − 4·2)/12 = 2/3, tr Σ = (2 − 1)/(1/4 − 1/16) = 16/3: B_simple = 8.
    assertThat(first.bSimple()).isCloseTo(8.0, org.assertj.core.data.Offset.offset(1e-12));
  }

  @Test
  void shouldRefuseEqualBatches() {
    assertThat(GradientNoiseScale.defined(64, 64)).isFalse();
    assertThatThrownBy(() -> new GradientNoiseScale(64, 64, 0.9))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static void close(String what, double actual, double expected) {
    assertThat(Math.abs(actual - expected))
        .as("%s: actual %s, expected %s", what, actual, expected)
        .isLessThanOrEqualTo(REL * Math.abs(expected));
  }

  /** Trains the golden case on its ranks and returns rank 0's noise scale after every step. */
  private static List<GnsMetrics> train(JsonNode c, String... more) throws Exception {
    JsonNode json = Golden.json(FILE);
    int world = c.get("world_size").asInt();
    JobConfig job =
        JobConfig.from(
            ConfigFactory.parseString(
                    String.join(
                        "\n",
                        "data.format = synthetic",
                        "data.shuffle = false",
                        "model.hidden = [" + json.get("hidden").asInt() + "]",
                        "model.activation = tanh",
                        "train.world_size = " + world,
                        "train.micro_batch = " + c.get("micro_batch").asInt(),
                        "train.accumulation = " + c.get("accumulation").asInt(),
                        "train.steps = " + c.get("steps").asInt(),
                        "train.eval_every_epoch = false",
                        "optim.name = sgd",
                        "optim.lr = " + c.get("lr").asDouble(),
                        "optim.scaling = none",
                        "optim.weight_decay = 0",
                        "optim.clip_norm = 0",
                        "schedule.name = constant",
                        "schedule.warmup_steps = 0",
                        "gns.ema = " + c.get("ema").asDouble(),
                        "run.log_every = 1",
                        String.join("\n", more)))
                .withFallback(ConfigFactory.parseFile(new java.io.File("../conf/reference.conf")))
                .resolve());
    Dataset train =
        new Dataset(
            Golden.floats(json.get("train_features")),
            ints(json.get("train_labels")),
            new int[] {json.get("features").asInt()},
            json.get("classes").asInt());
    TrainTest data = new TrainTest(train, train);
    TrainingPlan plan = TrainingPlan.of(job, train.size());
    float[] params0 = Golden.floats(json.get("params0"));
    List<GnsMetrics> reported = Collections.synchronizedList(new ArrayList<>());
    MetricsSink sink =
        new MetricsSink() {
          @Override
          public void onStep(StepMetrics m) {
            reported.add(m.gns());
          }

          @Override
          public void onEval(EvalMetrics m) {}

          @Override
          public void close() {}
        };
    List<Collective> group = InProcessCollective.group(world, Duration.ofSeconds(60));
    ExecutorService threads = Executors.newFixedThreadPool(world);
    try {
      List<Future<?>> ranks = new ArrayList<>();
      for (Collective comm : group) {
        ranks.add(
            threads.submit(
                () -> {
                  TrainingLoop loop =
                      new TrainingLoop(
                          job, plan, data, comm, comm.rank() == 0 ? sink : MetricsSink.NONE, null);
                  loop.model()
                      .params()
                      .assign(Nd4j.create(params0).reshape(loop.model().params().shape()));
                  loop.run(Optional.empty());
                  return null;
                }));
      }
      for (Future<?> rank : ranks) {
        rank.get();
      }
    } finally {
      threads.shutdownNow();
    }
    return reported;
  }

  private static int[] ints(JsonNode array) {
    int[] out = new int[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).asInt();
    }
    return out;
  }
}
