package ringtrain.worker.loop;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import ringtrain.common.config.JobConfig;
import ringtrain.worker.comm.InProcessCollective;
import ringtrain.worker.data.BatchPlan;
import ringtrain.worker.data.MiniBatches;
import ringtrain.worker.data.TrainTest;
import ringtrain.worker.model.TestNetworks;
import ringtrain.worker.model.TrainableModel;
import ringtrain.worker.optim.ParamBlock;
import ringtrain.worker.optim.ParamRole;

/**
 * Batch-norm running statistics are state: every rank ends with the same parameters and the same
 * statistics, bit for bit, and the statistics follow DL4J's running average over the global batch
 * rather than an optimizer's update.
 */
class BatchNormRanksTest {
  private static final int FEATURES = 12;

  private static JobConfig job(String... overrides) {
    return JobConfig.from(
        ConfigFactory.parseString(String.join("\n", overrides))
            .withFallback(
                ConfigFactory.parseString(
                    String.join(
                        "\n",
                        "data.format = synthetic",
                        "data.synthetic.train_examples = 256",
                        "data.synthetic.test_examples = 64",
                        "data.synthetic.features = " + FEATURES,
                        "data.num_classes = 4",
                        "model.type = dl4j",
                        "train.world_size = 2",
                        "train.micro_batch = 16",
                        "train.seed = 5",
                        "schedule.warmup_steps = 2",
                        "optim.clip_norm = 1.0",
                        "snapshot.at_end = false")))
            .withFallback(ConfigFactory.parseResources("ringtrain/reference.conf"))
            .withValue(
                "model.network",
                ConfigValueFactory.fromAnyRef(TestNetworks.batchNormGraph(FEATURES, 8, 4)))
            .resolve());
  }

  private static List<TrainingResult> trainOnTwoRanks(JobConfig job) throws Exception {
    TrainTest data = LoopJobs.data(job);
    TrainingPlan plan = TrainingPlan.of(job, data.train().size());
    return LoopJobs.onRanks(
        InProcessCollective.group(2, Duration.ofSeconds(60)),
        c -> {
          try (c) {
            return new TrainingLoop(job, plan, data, c, LoopJobs.NO_METRICS, null)
                .run(Optional.empty());
          }
        });
  }

  @Test
  void shouldEndWithIdenticalParametersAndRunningStatisticsOnEveryRank() throws Exception {
    JobConfig job = job("train.steps = 12");
    List<TrainingResult> ranks = trainOnTwoRanks(job);
    INDArray a = ranks.get(0).params();
    INDArray b = ranks.get(1).params();
    assertThat(b.data().asFloat()).containsExactly(a.data().asFloat());

    // The running statistics really moved from their initial values.
    TrainableModel model = model(job);
    INDArray initial = model.params().reshape(model.numParams());
    for (String name : List.of("bn1_mean", "bn1_log10stdev")) {
      ParamBlock block = block(model, name);
      assertThat(range(a, block).sub(range(initial, block)).amaxNumber().doubleValue())
          .isGreaterThan(1e-3);
    }
  }

  @Test
  void shouldMoveRunningMeanToTheAverageOfTheGlobalBatch() throws Exception {
    // One step: bn0 normalizes the raw features, so its new running mean must be
    // decay · 0 + (1 − decay) · (mean of the step's global batch), DL4J's rule with decay 0.9.
    JobConfig job = job("train.steps = 1", "optim.lr = 0.5");
    List<TrainingResult> ranks = trainOnTwoRanks(job);
    TrainTest data = LoopJobs.data(job);
    BatchPlan batches =
        new BatchPlan(data.train().size(), 2, 16, 1, job.data().shuffle(), job.train().seed());
    INDArray x0 = MiniBatches.of(data.train(), batches.indices(0, 0, 0), false).getFeatures();
    INDArray x1 = MiniBatches.of(data.train(), batches.indices(0, 1, 0), false).getFeatures();
    INDArray globalMean = x0.mean(0).add(x1.mean(0)).div(2);

    INDArray running = range(ranks.get(0).params(), block(model(job), "bn0_mean"));
    INDArray expected = globalMean.mul(0.1).reshape(running.shape());
    assertThat(running.sub(expected).amaxNumber().doubleValue()).isLessThan(1e-6);
  }

  private static TrainableModel model(JobConfig job) {
    TrainTest data = LoopJobs.data(job);
    return ringtrain.worker.model.Models.build(
        job.model(), data.train().shape(), data.train().numClasses(), job.train().seed());
  }

  private static ParamBlock block(TrainableModel model, String name) {
    ParamBlock block =
        model.layout().blocks().stream()
            .filter(x -> x.name().equals(name))
            .findFirst()
            .orElseThrow();
    assertThat(block.role()).isEqualTo(ParamRole.STATE);
    return block;
  }

  private static INDArray range(INDArray flat, ParamBlock b) {
    return flat.reshape(flat.length())
        .get(NDArrayIndex.interval(b.offset(), b.offset() + b.length()));
  }
}
