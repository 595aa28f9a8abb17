package ringtrain.worker.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import ringtrain.common.error.DataException;

class BatchPlanTest {
  /** Every index of one step, ranks in order, micro-batches in order within a rank. */
  private static List<Integer> step(BatchPlan plan, long step, int world, int accumulation) {
    List<Integer> all = new ArrayList<>();
    for (int r = 0; r < world; r++) {
      for (int j = 0; j < accumulation; j++) {
        for (int i : plan.indices(step, r, j)) {
          all.add(i);
        }
      }
    }
    return all;
  }

  @Test
  void shouldComputeGlobalBatchAndStepsPerEpoch() {
    BatchPlan plan = new BatchPlan(1000, 4, 32, 2, true, 1);

    assertThat(plan.globalBatch()).isEqualTo(256);
    assertThat(plan.stepsPerEpoch()).isEqualTo(3); // floor(1000 / 256); 232 examples dropped
  }

  @Test
  void shouldRejectGlobalBatchLargerThanTrainingSet() {
    assertThatThrownBy(() -> new BatchPlan(100, 2, 64, 1, false, 1).stepsPerEpoch())
        .isInstanceOf(DataException.class)
        .hasMessageContaining("train.micro_batch = 64")
        .hasMessageContaining("global batch of 128 examples")
        .hasMessageContaining("100 training examples")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  @Test
  void shouldTakeFileOrderSlicesWithoutShuffle() {
    // n = 20, N = 2, b = 3, k = 1: B = 6, 3 steps per epoch, examples 18 and 19 dropped.
    BatchPlan plan = new BatchPlan(20, 2, 3, 1, false, 1);

    assertThat(plan.indices(0, 0, 0)).containsExactly(0, 1, 2);
    assertThat(plan.indices(0, 1, 0)).containsExactly(3, 4, 5);
    assertThat(plan.indices(2, 1, 0)).containsExactly(15, 16, 17);
    assertThat(plan.indices(3, 0, 0)).containsExactly(0, 1, 2); // epoch 1 starts over
    assertThat(plan.epoch(3)).isEqualTo(1);
  }

  @Test
  void shouldSliceRanksThenMicroBatches() {
    // N = 2, b = 2, k = 3: rank r holds [r·6, r·6+6), micro-batch j its [j·2, j·2+2).
    BatchPlan plan = new BatchPlan(30, 2, 2, 3, false, 1);

    assertThat(plan.indices(1, 0, 0)).containsExactly(12, 13);
    assertThat(plan.indices(1, 0, 2)).containsExactly(16, 17);
    assertThat(plan.indices(1, 1, 0)).containsExactly(18, 19);
    assertThat(plan.indices(1, 1, 2)).containsExactly(22, 23);
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void shouldGiveTheSameExamplesForAnySplitOfTheGlobalBatch(boolean shuffle) {
    int n = 103;
    int b = 8;
    BatchPlan twoRanks = new BatchPlan(n, 2, b, 1, shuffle, 9);
    BatchPlan oneRankDoubleBatch = new BatchPlan(n, 1, 2 * b, 1, shuffle, 9);
    BatchPlan oneRankAccumulating = new BatchPlan(n, 1, b, 2, shuffle, 9);

    assertThat(twoRanks.stepsPerEpoch()).isEqualTo(6);
    // Three epochs, so epoch boundaries and the per-epoch reshuffle are covered.
    for (long s = 0; s < 18; s++) {
      List<Integer> expected = step(twoRanks, s, 2, 1);
      assertThat(step(oneRankDoubleBatch, s, 1, 1)).as("step %d", s).isEqualTo(expected);
      assertThat(step(oneRankAccumulating, s, 1, 2)).as("step %d", s).isEqualTo(expected);
    }
  }

  @Test
  void shouldVisitDistinctExamplesWithinAnEpoch() {
    BatchPlan plan = new BatchPlan(50, 3, 4, 2, true, 5); // B = 24, 2 steps, 2 dropped

    Set<Integer> seen = new HashSet<>();
    for (long s = 0; s < plan.stepsPerEpoch(); s++) {
      seen.addAll(step(plan, s, 3, 2));
    }

    assertThat(seen).hasSize(48).allSatisfy(i -> assertThat(i).isBetween(0, 49));
  }

  @Test
  void shouldShuffleDifferentlyEachEpochButReproducibly() {
    BatchPlan plan = new BatchPlan(64, 1, 64, 1, true, 3);
    BatchPlan again = new BatchPlan(64, 4, 16, 1, true, 3);

    int[] epoch0 = plan.indices(0, 0, 0);
    int[] epoch1 = plan.indices(1, 0, 0);

    assertThat(epoch0).isNotEqualTo(IntStream.range(0, 64).toArray());
    assertThat(epoch1).isNotEqualTo(epoch0);
    assertThat(sorted(epoch0)).isEqualTo(IntStream.range(0, 64).toArray());
    assertThat(sorted(epoch1)).isEqualTo(IntStream.range(0, 64).toArray());
    assertThat(plan.indices(0, 0, 0)).isEqualTo(epoch0); // back to epoch 0 after the cache moved
    assertThat(again.indices(1, 0, 0)).containsExactly(Arrays.copyOfRange(epoch1, 0, 16));
    assertThat(new BatchPlan(64, 1, 64, 1, true, 4).indices(0, 0, 0)).isNotEqualTo(epoch0);
  }

  @Test
  void shouldRejectRankMicroBatchOrStepOutOfRange() {
    BatchPlan plan = new BatchPlan(100, 2, 5, 2, false, 1);

    assertThatThrownBy(() -> plan.indices(0, 2, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> plan.indices(0, 0, 2)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> plan.indices(-1, 0, 0)).isInstanceOf(IllegalArgumentException.class);
  }

  private static int[] sorted(int[] a) {
    int[] copy = a.clone();
    Arrays.sort(copy);
    return copy;
  }
}
