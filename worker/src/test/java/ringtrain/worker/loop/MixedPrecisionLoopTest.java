package ringtrain.worker.loop;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import ringtrain.common.config.JobConfig;
import ringtrain.worker.comm.InProcessCollective;
import ringtrain.worker.data.TrainTest;

class MixedPrecisionLoopTest {

  private static final String[] SMALL = {
    "data.format = synthetic",
    "data.synthetic.train_examples = 512",
    "data.synthetic.test_examples = 64",
    "data.synthetic.features = 16",
    "model.hidden = [32, 16]",
    "train.world_size = 2",
    "train.micro_batch = 16",
    "train.steps = 30",
    "schedule.warmup_steps = 2",
    "optim.lr = 0.01"
  };

  private static String[] with(String[] base, String... more) {
    List<String> all = new ArrayList<>(List.of(base));
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }

  /** One rank's view of a few steps: the outcomes and the parameters after each. */
  private record Trace(List<TrainingLoop.StepOutcome> outcomes, List<float[]> params) {}

  private static List<Trace> run(JobConfig job, int steps) throws Exception {
    TrainTest data = LoopJobs.data(job);
    TrainingPlan plan = TrainingPlan.of(job, data.train().size());
    return LoopJobs.onRanks(
        InProcessCollective.group(2, Duration.ofSeconds(30)),
        comm -> {
          TrainingLoop loop = new TrainingLoop(job, plan, data, comm, LoopJobs.NO_METRICS, null);
          loop.engine().paramsUpdated();
          List<TrainingLoop.StepOutcome> outcomes = new ArrayList<>();
          List<float[]> params = new ArrayList<>();
          params.add(loop.engine().params().dup().data().asFloat());
          for (int s = 0; s < steps; s++) {
            outcomes.add(loop.step(s));
            params.add(loop.engine().params().dup().data().asFloat());
          }
          return new Trace(outcomes, params);
        });
  }

  @Test
  void shouldSkipOnEveryRankAndBackOffWhenFp16Overflows() throws Exception {
    // 2^40 times any loss gradient of order 1e-3 or more is far beyond fp16's 65504.
    JobConfig job =
        LoopJobs.job(
            with(
                SMALL,
                "precision.compute = fp16",
                "precision.mode = emulated",
                "precision.loss_scale.init = 1099511627776"));
    List<Trace> ranks = run(job, 30);

    for (Trace rank : ranks) {
      TrainingLoop.StepOutcome first = rank.outcomes().get(0);
      assertThat(first.skipped()).isTrue();
      assertThat(first.lossScale()).isEqualTo(0x1p40);
      assertThat(rank.outcomes().get(1).lossScale()).isEqualTo(0x1p39);
      // A skipped step leaves the master weights untouched.
      assertThat(rank.params().get(1)).containsExactly(rank.params().get(0));
      // The scale halves until the gradients fit, then training moves the weights.
      int firstTaken = 0;
      while (rank.outcomes().get(firstTaken).skipped()) {
        assertThat(rank.outcomes().get(firstTaken).lossScale())
            .isEqualTo(Math.scalb(1.0, 40 - firstTaken));
        firstTaken++;
      }
      assertThat(firstTaken).isBetween(10, 29);
      assertThat(rank.params().get(firstTaken + 1)).isNotEqualTo(rank.params().get(firstTaken));
    }
    for (int s = 0; s < 30; s++) {
      assertThat(ranks.get(1).outcomes().get(s).skipped())
          .isEqualTo(ranks.get(0).outcomes().get(s).skipped());
      assertThat(ranks.get(1).params().get(s + 1))
          .containsExactly(ranks.get(0).params().get(s + 1));
    }
  }

  @Test
  void shouldGrowTheScaleAfterTheGrowthIntervalOfFiniteSteps() throws Exception {
    JobConfig job =
        LoopJobs.job(
            with(
                SMALL,
                "precision.compute = fp16",
                "precision.mode = emulated",
                "precision.loss_scale.init = 1024",
                "precision.loss_scale.growth_interval = 3"));
    Trace rank0 = run(job, 7).get(0);
    assertThat(rank0.outcomes()).noneMatch(TrainingLoop.StepOutcome::skipped);
    assertThat(rank0.outcomes().stream().map(TrainingLoop.StepOutcome::lossScale))
        .containsExactly(1024.0, 1024.0, 1024.0, 2048.0, 2048.0, 2048.0, 4096.0);
  }

  @Test
  void shouldGiveBitwiseTheSameTrainingWithOverlappedBuckets() throws Exception {
    // Layers of 256x256 = 1/4 MiB: with 1 MiB buckets the five layers make several buckets.
    String[] deep =
        with(
            SMALL,
            "model.type = deep_mlp",
            "model.depth = 6",
            "model.width = 256",
            "comm.bucket_mb = 1",
            "model.dropout = 0.1");
    long t0 = System.nanoTime();
    List<Trace> plain = run(LoopJobs.job(deep), 3);
    long t1 = System.nanoTime();
    List<Trace> overlapped = run(LoopJobs.job(with(deep, "comm.overlap = true")), 3);
    System.out.printf(
        "plain %.1f s, overlapped %.1f s%n", (t1 - t0) / 1e9, (System.nanoTime() - t1) / 1e9);
    for (int r = 0; r < 2; r++) {
      for (int s = 0; s <= 3; s++) {
        // Arrays.equals: AssertJ's containsExactly diffs 330k floats in quadratic time.
        assertThat(Arrays.equals(overlapped.get(r).params().get(s), plain.get(r).params().get(s)))
            .as("rank %d, parameters after step %d bitwise", r, s)
            .isTrue();
      }
      assertThat(overlapped.get(r).outcomes().get(2).commNanos()).isPositive();
    }
  }

  @Test
  void shouldCutBucketsInReverseLayerOrder() {
    // Layer sizes 10, 20, 30, 40 (offsets 0,10,30,60,100); buckets of at least 35 elements.
    GradientBuckets buckets = new GradientBuckets(new long[] {0, 10, 30, 60, 100}, 35);
    assertThat(buckets.buckets())
        .containsExactly(
            new GradientBuckets.Bucket(3, 3, 60, 100),
            new GradientBuckets.Bucket(1, 2, 10, 60),
            new GradientBuckets.Bucket(0, 0, 0, 10));
    assertThat(buckets.completedBy(3)).isEqualTo(0);
    assertThat(buckets.completedBy(2)).isEqualTo(-1);
    assertThat(buckets.completedBy(1)).isEqualTo(1);
    assertThat(buckets.completedBy(0)).isEqualTo(2);
  }
}
