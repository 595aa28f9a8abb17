package ringtrain.worker.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalShardTest {
  @TempDir Path dir;

  private static Dataset data(int n) {
    int d = 6;
    float[] x = new float[n * d];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      y[i] = i % 3;
      for (int f = 0; f < d; f++) {
        x[i * d + f] = i * 10 + f + 0.5f;
      }
    }
    return new Dataset(x, y, new int[] {d}, 3);
  }

  @Test
  void shouldHoldExampleIModNOffHeapAndMappedAlike() throws IOException {
    Dataset all = data(23);
    try (LocalShard offHeap = LocalShard.of(all, 1, 3, 1 << 20, dir);
        LocalShard mapped = LocalShard.of(all, 1, 3, 0, dir)) {
      assertThat(offHeap.mapped()).isFalse();
      assertThat(mapped.mapped()).isTrue();
      assertThat(files()).isEqualTo(1);
      assertThat(offHeap.size()).isEqualTo(LocalShard.rowsOf(23, 1, 3)).isEqualTo(8);
      float[] a = new float[6];
      float[] b = new float[6];
      float[] expected = new float[6];
      for (int j = 0; j < offHeap.size(); j++) {
        offHeap.copyFeatures(j, a, 0);
        mapped.copyFeatures(j, b, 0);
        all.copyFeatures(3 * j + 1, expected, 0);
        assertThat(a).containsExactly(expected);
        assertThat(b).containsExactly(expected);
        assertThat(mapped.label(j)).isEqualTo(offHeap.label(j)).isEqualTo(all.label(3 * j + 1));
      }
    }
    assertThat(files()).isZero();
  }

  @Test
  void shouldSplitIntoShardsThatDifferByAtMostOne() {
    int total = 0;
    for (int r = 0; r < 4; r++) {
      int rows = LocalShard.rowsOf(1001, r, 4);
      assertThat(rows).isBetween(250, 251);
      total += rows;
    }
    assertThat(total).isEqualTo(1001);
  }

  @Test
  void shouldRefuseARowWrittenTwice() {
    try (LocalShard shard = new LocalShard(2, new int[] {2}, 2, 1 << 20, dir)) {
      shard.put(1, new float[] {1, 2}, 0);
      assertThat(shard.missing()).isEqualTo(1);
      assertThatThrownBy(() -> shard.put(1, new float[] {1, 2}, 0)).hasMessageContaining("twice");
    }
  }

  private long files() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.count();
    }
  }
}
