package ringtrain.worker.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ringtrain.common.config.DataConfig.ShardEncoding;

class LocalShardTest {
  @TempDir Path dir;

  private static final int D = 6;

  /** n examples whose features are all distinct: more than 256 values, so float32 rows. */
  private static Dataset data(int n) {
    float[] x = new float[n * D];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      y[i] = i % 3;
      for (int f = 0; f < D; f++) {
        x[i * D + f] = i * 10 + f + 0.5f;
      }
    }
    return new Dataset(x, y, new int[] {D}, 3);
  }

  /**
   * n 8-bit "pixels" scaled as data.normalize = scale does (k / 255), with the float values that
   * only bits tell apart: 0.0 and -0.0, and two NaNs of different payload.
   */
  private static Dataset pixels(int n) {
    float[] x = new float[n * D];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      y[i] = i % 3;
      for (int f = 0; f < D; f++) {
        x[i * D + f] = ((i * 7 + f * 31) % 252) / 255f;
      }
    }
    x[1] = -0.0f;
    x[2] = Float.intBitsToFloat(0x7fc00001);
    x[3] = Float.intBitsToFloat(0x7fc00002);
    return new Dataset(x, y, new int[] {D}, 3);
  }

  private ShardStorage offHeap(ShardEncoding encoding) {
    return new ShardStorage(1 << 20, dir, encoding);
  }

  private ShardStorage mapped(ShardEncoding encoding) {
    return new ShardStorage(0, dir, encoding);
  }

  @Test
  void shouldHoldExampleIModNOffHeapAndMappedAlike() throws IOException {
    Dataset all = data(23);
    try (LocalShard offHeap = LocalShard.of(all, 1, 3, offHeap(ShardEncoding.AUTO));
        LocalShard mapped = LocalShard.of(all, 1, 3, mapped(ShardEncoding.AUTO))) {
      assertThat(offHeap.mapped()).isFalse();
      assertThat(mapped.mapped()).isTrue();
      assertThat(files()).isEqualTo(1);
      assertThat(offHeap.size()).isEqualTo(LocalShard.rowsOf(23, 1, 3)).isEqualTo(8);
      assertHolds(offHeap, all, 1, 3);
      assertHolds(mapped, all, 1, 3);
    }
    assertThat(files()).isZero();
  }

  @Test
  void shouldKeepAtMost256ValuesAsOneByteCodesWithTheirExactBits() throws IOException {
    Dataset all = pixels(600);
    try (LocalShard coded = LocalShard.of(all, 1, 2, offHeap(ShardEncoding.AUTO));
        LocalShard codedMapped = LocalShard.of(all, 1, 2, mapped(ShardEncoding.AUTO));
        LocalShard plain = LocalShard.of(all, 1, 2, offHeap(ShardEncoding.FLOAT32))) {
      assertThat(coded.coded()).isTrue();
      assertThat(codedMapped.coded()).isTrue();
      assertThat(codedMapped.mapped()).isTrue();
      assertThat(plain.coded()).isFalse();
      assertThat(coded.featureBytes()).isEqualTo(300L * D);
      assertThat(plain.featureBytes()).isEqualTo(300L * D * Float.BYTES);
      assertHolds(coded, all, 1, 2);
      assertHolds(codedMapped, all, 1, 2);
      assertHolds(plain, all, 1, 2);
    }
    try (LocalShard rank0 = LocalShard.of(all, 0, 2, offHeap(ShardEncoding.AUTO))) {
      // Row 0 holds -0.0 and both NaNs: each comes back with its own bits.
      assertThat(rank0.coded()).isTrue();
      assertHolds(rank0, all, 0, 2);
    }
  }

  @Test
  void shouldTurnToFloat32WhenThe257thValueArrivesAndKeepTheRowsWrittenBefore() {
    // 300 rows of one value each: rows 0..255 fill the book, the last row brings value 257.
    int n = 300;
    float[] x = new float[n * D];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      java.util.Arrays.fill(x, i * D, (i + 1) * D, i * 0.25f);
      y[i] = i % 2;
    }
    Dataset all = new Dataset(x, y, new int[] {D}, 2);
    try (LocalShard shard = new LocalShard(n, new int[] {D}, 2, offHeap(ShardEncoding.AUTO))) {
      float[] row = new float[D];
      for (int i = 0; i < 256; i++) {
        all.copyFeatures(i, row, 0);
        shard.put(i, row, all.label(i));
      }
      assertThat(shard.coded()).isTrue();
      assertThat(shard.featureBytes()).isEqualTo((long) n * D);
      all.copyFeatures(n - 1, row, 0);
      shard.put(n - 1, row, all.label(n - 1));
      assertThat(shard.coded()).isFalse();
      assertThat(shard.featureBytes()).isEqualTo((long) n * D * Float.BYTES);
      for (int i = 256; i < n - 1; i++) {
        all.copyFeatures(i, row, 0);
        shard.put(i, row, all.label(i));
      }
      assertThat(shard.missing()).isZero();
      assertHolds(shard, all, 0, 1);
    }
  }

  @Test
  void shouldStartAsFloat32WhenTheFirstRowAloneHasMoreThan256Values() {
    int d = 300;
    float[] x = new float[2 * d];
    for (int i = 0; i < x.length; i++) {
      x[i] = i;
    }
    Dataset all = new Dataset(x, new int[2], new int[] {d}, 1);
    try (LocalShard shard = LocalShard.of(all, 0, 1, offHeap(ShardEncoding.AUTO))) {
      assertThat(shard.coded()).isFalse();
      assertHolds(shard, all, 0, 1);
    }
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
    try (LocalShard shard = new LocalShard(2, new int[] {2}, 2, offHeap(ShardEncoding.AUTO))) {
      shard.put(1, new float[] {1, 2}, 0);
      assertThat(shard.missing()).isEqualTo(1);
      assertThatThrownBy(() -> shard.put(1, new float[] {1, 2}, 0)).hasMessageContaining("twice");
    }
  }

  /** Row j of the shard is example j·world + rank of {@code all}, bit for bit, and its label. */
  private static void assertHolds(LocalShard shard, Examples all, int rank, int world) {
    assertThat(shard.size()).isEqualTo(LocalShard.rowsOf(all.size(), rank, world));
    float[] got = new float[all.featureCount()];
    float[] expected = new float[all.featureCount()];
    for (int j = 0; j < shard.size(); j++) {
      int i = j * world + rank;
      shard.copyFeatures(j, got, 0);
      all.copyFeatures(i, expected, 0);
      for (int f = 0; f < got.length; f++) {
        assertThat(Float.floatToRawIntBits(got[f]))
            .as("row %d feature %d", j, f)
            .isEqualTo(Float.floatToRawIntBits(expected[f]));
      }
      assertThat(shard.label(j)).isEqualTo(all.label(i));
    }
  }

  private long files() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.count();
    }
  }
}
