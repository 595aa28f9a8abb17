package ringtrain.worker.loop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import ringtrain.common.config.DataConfig;
import ringtrain.common.config.JobConfig;
import ringtrain.common.metrics.EvalMetrics;
import ringtrain.common.metrics.MetricsSink;
import ringtrain.common.metrics.StepMetrics;
import ringtrain.worker.comm.Collective;
import ringtrain.worker.comm.InProcessCollective;
import ringtrain.worker.data.LocalShard;
import ringtrain.worker.data.ShardStorage;
import ringtrain.worker.data.TrainTest;
import ringtrain.worker.model.Models;
import ringtrain.worker.model.TrainableModel;

/**
 * Placement shard in the loop: one rank trains exactly as with replicate; the prefetch thread
 * changes no bit; the test set scored shard by shard and all-reduced equals one process scoring it
 * whole.
 */
class ShardedPlacementTest {
  @TempDir Path tmp;

  private static final String[] JOB = {
    "data.format = synthetic",
    "data.synthetic.train_examples = 301",
    "data.synthetic.test_examples = 101",
    "data.synthetic.features = 10",
    "data.num_classes = 4",
    "model.hidden = [16]",
    "model.dropout = 0.1",
    "train.micro_batch = 8",
    "train.accumulation = 2",
    "train.steps = 40",
    "train.seed = 13",
    "schedule.warmup_steps = 4",
    "run.log_every = 5",
    "snapshot.at_end = false"
  };

  private static JobConfig job(String... more) {
    List<String> all = new ArrayList<>(List.of(JOB));
    all.addAll(List.of(more));
    return LoopJobs.job(all.toArray(String[]::new));
  }

  private static List<TrainingResult> train(JobConfig job, MetricsSink sink) throws Exception {
    TrainTest data = LoopJobs.data(job);
    TrainingPlan plan = TrainingPlan.of(job, data.train().size());
    int n = job.train().worldSize();
    return LoopJobs.onRanks(
        InProcessCollective.group(n, Duration.ofSeconds(60)),
        c -> {
          try (c) {
            return new TrainingLoop(
                    job, plan, data, c, c.rank() == 0 ? sink : LoopJobs.NO_METRICS, null)
                .run(Optional.empty());
          }
        });
  }

  @Test
  void shouldTrainExactlyLikeReplicateOnOneRank() throws Exception {
    INDArray replicate =
        train(job("data.placement = replicate"), LoopJobs.NO_METRICS).get(0).params();
    INDArray shard = train(job("data.placement = shard"), LoopJobs.NO_METRICS).get(0).params();
    JobConfig j = job();
    TrainTest data = LoopJobs.data(j);
    INDArray initial =
        Models.build(j.model(), data.train().shape(), 4, j.train().seed()).params().reshape(-1);
    assertThat(replicate.reshape(-1).sub(initial).amaxNumber().doubleValue()).isGreaterThan(1e-3);
    assertThat(shard.data().asFloat()).containsExactly(replicate.data().asFloat());
  }

  @Test
  void shouldTrainTheSameShardsWithAndWithoutPrefetch() throws Exception {
    List<StepMetrics> steps = new ArrayList<>();
    MetricsSink record =
        new MetricsSink() {
          @Override
          public void onStep(StepMetrics m) {
            steps.add(m);
          }

          @Override
          public void onEval(EvalMetrics m) {}

          @Override
          public void close() {}
        };
    List<TrainingResult> ahead =
        train(
            job("data.placement = shard", "train.world_size = 2", "data.prefetch = true"), record);
    List<TrainingResult> direct =
        train(
            job("data.placement = shard", "train.world_size = 2", "data.prefetch = false"),
            LoopJobs.NO_METRICS);
    assertThat(ahead.get(1).params().data().asFloat())
        .containsExactly(ahead.get(0).params().data().asFloat());
    assertThat(direct.get(0).params().data().asFloat())
        .containsExactly(ahead.get(0).params().data().asFloat());
    // Two ranks on their own shards are not one rank on everything: the placement is real.
    INDArray replicated =
        train(job("data.placement = replicate", "train.world_size = 2"), LoopJobs.NO_METRICS)
            .get(0)
            .params();
    assertThat(replicated.data().asFloat()).isNotEqualTo(ahead.get(0).params().data().asFloat());
    assertThat(steps).isNotEmpty();
    assertThat(steps).allSatisfy(m -> assertThat(m.inputWaitMs()).isNotNaN().isNotNegative());
  }

  @Test
  void shouldScoreTheShardedTestSetExactlyLikeOneProcess() throws Exception {
    JobConfig j = job("train.world_size = 3");
    TrainTest data = LoopJobs.data(j);
    int[] shape = data.train().shape();
    TrainableModel whole = Models.build(j.model(), shape, 4, j.train().seed());
    float[] single = TestSetScorer.score(whole, data.test(), false, 0, data.test().size());
    // Some right and some wrong: a rank that scored the wrong rows would change the count.
    assertThat(single[0]).isGreaterThan(0).isLessThan(data.test().size());

    List<EvalMetrics> ranks =
        LoopJobs.onRanks(
            InProcessCollective.group(3, Duration.ofSeconds(60)),
            (Collective c) -> {
              try (c;
                  LocalShard test =
                      LocalShard.of(
                          data.test(),
                          c.rank(),
                          3,
                          new ShardStorage(1 << 20, tmp, DataConfig.ShardEncoding.AUTO))) {
                TrainableModel model = Models.build(j.model(), shape, 4, j.train().seed());
                return new Evaluator(model, test, true, false, c, LoopJobs.NO_METRICS)
                    .evaluate(0, 0);
              }
            });
    double accuracy = (double) single[0] / single[2];
    double loss = (double) single[1] / single[2];
    for (EvalMetrics e : ranks) {
      assertThat(e.testAccuracy()).isEqualTo(accuracy);
      assertThat(e.testLoss()).isCloseTo(loss, org.assertj.core.data.Offset.offset(1e-5));
    }
  }
}
