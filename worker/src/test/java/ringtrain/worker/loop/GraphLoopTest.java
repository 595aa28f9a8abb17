package ringtrain.worker.loop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ringtrain.common.config.JobConfig;
import ringtrain.worker.comm.InProcessCollective;
import ringtrain.worker.data.TrainTest;
import ringtrain.worker.model.TestNetworks;
import ringtrain.worker.remat.LayerwiseEngine;

/**
 * A residual ComputationGraph through every engine path of the loop at N = 2: recomputation and
 * overlapped buckets give bitwise the parameters of DL4J's own forward/backward; mixed precision
 * runs its loss scaling through the graph engine.
 */
class GraphLoopTest {
  @TempDir Path tmp;

  private static final int STEPS = 3;

  private String[] job(String... more) throws Exception {
    Path json = tmp.resolve("residual.json");
    if (!Files.exists(json)) {
      // Dense layers of 384 x 384 (576 KiB): with 1 MiB buckets the graph makes several buckets.
      Files.writeString(json, TestNetworks.residualBlocks(16, 384, 4, 10, 0.8));
    }
    List<String> all =
        new ArrayList<>(
            List.of(
                "data.format = synthetic",
                "data.synthetic.train_examples = 512",
                "data.synthetic.test_examples = 64",
                "data.synthetic.features = 16",
                "model.type = dl4j",
                "model.file = \"" + json + "\"",
                "train.world_size = 2",
                "train.micro_batch = 16",
                "train.steps = 30",
                "schedule.warmup_steps = 2",
                "optim.lr = 0.01",
                "comm.bucket_mb = 1"));
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }

  /** One rank's trace: the outcomes and the parameters before and after each step. */
  private record Trace(
      List<TrainingLoop.StepOutcome> outcomes, List<float[]> params, int buckets) {}

  private static List<Trace> run(String[] overrides, int steps) throws Exception {
    JobConfig job = LoopJobs.job(overrides);
    TrainTest data = LoopJobs.data(job);
    TrainingPlan plan = TrainingPlan.of(job, data.train().size());
    return LoopJobs.onRanks(
        InProcessCollective.group(2, Duration.ofSeconds(30)),
        comm -> {
          TrainingLoop loop = new TrainingLoop(job, plan, data, comm, LoopJobs.NO_METRICS, null);
          int buckets =
              loop.engine() instanceof LayerwiseEngine layers
                  ? new GradientBuckets(layers.layerOffsets(), job.comm().bucketBytes() / 4)
                      .buckets()
                      .size()
                  : 0;
          List<TrainingLoop.StepOutcome> outcomes = new ArrayList<>();
          List<float[]> params = new ArrayList<>();
          params.add(loop.engine().params().dup().data().asFloat());
          for (int s = 0; s < steps; s++) {
            outcomes.add(loop.step(s));
            params.add(loop.engine().params().dup().data().asFloat());
          }
          return new Trace(outcomes, params, buckets);
        });
  }

  private static void assertBitwise(List<Trace> actual, List<Trace> expected) {
    for (int r = 0; r < 2; r++) {
      assertThat(actual.get(r).params().get(STEPS)).isNotEqualTo(actual.get(r).params().get(0));
      for (int s = 0; s <= STEPS; s++) {
        assertThat(Arrays.equals(actual.get(r).params().get(s), expected.get(r).params().get(s)))
            .as("rank %d, parameters after step %d bitwise", r, s)
            .isTrue();
      }
      for (int s = 0; s < STEPS; s++) {
        assertThat(actual.get(r).outcomes().get(s).loss())
            .isEqualTo(expected.get(r).outcomes().get(s).loss());
        assertThat(actual.get(r).outcomes().get(s).gradNorm())
            .isEqualTo(expected.get(r).outcomes().get(s).gradNorm());
      }
    }
  }

  @Test
  void shouldTrainBitwiseLikeThePlainPathWithRecomputationAndOverlappedBuckets() throws Exception {
    List<Trace> plain = run(job(), STEPS);
    List<Trace> remat = run(job("remat.segments = -1"), STEPS);
    List<Trace> overlap = run(job("comm.overlap = true"), STEPS);
    List<Trace> both = run(job("comm.overlap = true", "remat.segments = 2"), STEPS);
    assertThat(plain.get(0).buckets()).isZero();
    assertThat(overlap.get(0).buckets()).isGreaterThan(1);
    assertBitwise(remat, plain);
    assertBitwise(overlap, plain);
    assertBitwise(both, plain);
    assertThat(overlap.get(0).outcomes().get(STEPS - 1).commNanos()).isPositive();
  }

  @Test
  void shouldTrainBitwiseLikeThePlainPathWithOverlapAndAccumulation() throws Exception {
    List<Trace> plain = run(job("train.accumulation = 2"), STEPS);
    List<Trace> overlap =
        run(job("train.accumulation = 2", "comm.overlap = true", "remat.segments = -1"), STEPS);
    assertBitwise(overlap, plain);
  }

  @Test
  void shouldSkipOnEveryRankWhenFp16OverflowsInTheGraph() throws Exception {
    List<Trace> ranks =
        run(
            job(
                "precision.compute = fp16",
                "precision.mode = emulated",
                "precision.loss_scale.init = 1099511627776"),
            2);
    for (Trace rank : ranks) {
      assertThat(rank.outcomes().get(0).skipped()).isTrue();
      assertThat(rank.outcomes().get(1).lossScale()).isEqualTo(0x1p39);
      assertThat(Arrays.equals(rank.params().get(1), rank.params().get(0))).isTrue();
    }
    assertThat(Arrays.equals(ranks.get(1).params().get(2), ranks.get(0).params().get(2))).isTrue();
  }

  @Test
  void shouldTrainAGraphInEmulatedBf16() throws Exception {
    List<Trace> ranks = run(job("precision.compute = bf16", "precision.mode = emulated"), STEPS);
    for (Trace rank : ranks) {
      assertThat(rank.outcomes()).noneMatch(TrainingLoop.StepOutcome::skipped);
      assertThat(rank.outcomes().get(STEPS - 1).loss()).isFinite();
      assertThat(rank.params().get(STEPS)).isNotEqualTo(rank.params().get(0));
    }
    assertThat(Arrays.equals(ranks.get(1).params().get(STEPS), ranks.get(0).params().get(STEPS)))
        .isTrue();
  }
}
