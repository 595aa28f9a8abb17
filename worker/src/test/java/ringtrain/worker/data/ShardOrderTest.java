package ringtrain.worker.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ShardOrderTest {
  @Test
  void shouldEqualTheGlobalOrderOnOneRank() {
    BatchPlan global = new BatchPlan(100, 1, 8, 2, true, 7);
    ShardOrder shard = new ShardOrder(100, global.stepsPerEpoch(), 8, 2, true, 7, 0);
    for (long s = 0; s < 3 * global.stepsPerEpoch(); s++) {
      for (int j = 0; j < 2; j++) {
        assertThat(shard.indices(s, j)).containsExactly(global.indices(s, 0, j));
      }
    }
  }

  @Test
  void shouldVisitEachShardExampleAtMostOncePerEpochAndDropTheRest() {
    // 75 examples on 2 ranks: shards of 38 and 37; B = 2·4·2 = 16 gives 4 steps per epoch.
    BatchPlan global = new BatchPlan(75, 2, 4, 2, true, 3);
    assertThat(global.stepsPerEpoch()).isEqualTo(4);
    ShardOrder rank1 =
        new ShardOrder(LocalShard.rowsOf(75, 1, 2), global.stepsPerEpoch(), 4, 2, true, 3, 1);
    assertThat(rank1.droppedPerEpoch()).isEqualTo(37 - 32);
    for (long epoch = 0; epoch < 2; epoch++) {
      Set<Integer> seen = new HashSet<>();
      for (long s = epoch * 4; s < epoch * 4 + 4; s++) {
        for (int j = 0; j < 2; j++) {
          for (int i : rank1.indices(s, j)) {
            assertThat(i).isBetween(0, 36);
            assertThat(seen.add(i)).as("row %d twice in epoch %d", i, epoch).isTrue();
          }
        }
      }
      assertThat(seen).hasSize(32);
    }
  }

  @Test
  void shouldShuffleEachRankAndEpochDifferently() {
    ShardOrder r0 = new ShardOrder(64, 4, 16, 1, true, 9, 0);
    ShardOrder r1 = new ShardOrder(64, 4, 16, 1, true, 9, 1);
    assertThat(r1.indices(0, 0)).isNotEqualTo(r0.indices(0, 0));
    assertThat(r1.indices(4, 0)).isNotEqualTo(r1.indices(0, 0));
    // The same (seed, epoch, rank) gives the same order, whatever was asked before.
    assertThat(new ShardOrder(64, 4, 16, 1, true, 9, 1).indices(5, 0))
        .containsExactly(r1.indices(5, 0));
  }

  @Test
  void shouldKeepFileOrderWithoutShuffling() {
    ShardOrder order = new ShardOrder(50, 3, 4, 4, false, 1, 1);
    assertThat(order.indices(1, 2)).containsExactly(IntStream.range(24, 28).toArray());
    assertThat(order.indices(3, 0)).containsExactly(0, 1, 2, 3);
  }
}
