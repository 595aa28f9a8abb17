package ringtrain.worker.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What a {@link SnapshotStore} must do on any Hadoop file system, run against a real server
 * (MiniDFSCluster, s3proxy) by each subclass. Every test works under its own fresh root.
 */
abstract class RemoteSnapshotContract {
  private static final int N = 1000;

  /** The URI of a fresh, not yet existing directory on the server. */
  abstract String freshRoot();

  /** Hadoop settings the server needs (endpoint, credentials). */
  abstract Map<String, String> settings();

  /** Whether this file system commits by rename (else by the MANIFEST). */
  abstract boolean expectsAtomicRename();

  final FileSystem fs(String root) throws IOException {
    Configuration conf = new Configuration();
    settings().forEach(conf::set);
    return FileSystem.get(URI.create(root), conf);
  }

  final SnapshotStore store(String root, int keep) {
    return SnapshotStore.open(root, keep, settings());
  }

  @Test
  void shouldCommitTheWayTheFileSystemAllows() throws IOException {
    assertThat(new HadoopStorage(freshRoot(), settings()).renameIsAtomic())
        .isEqualTo(expectsAtomicRename());
  }

  @Test
  void shouldRoundTripEveryFieldBitwise() {
    String root = freshRoot();
    float[] params = values(1, N);
    params[0] = -0.0f;
    params[1] = Float.MIN_VALUE;
    params[2] = Float.intBitsToFloat(0x7fc00123);
    params[3] = Float.NEGATIVE_INFINITY;
    store(root, 3).write(state(100, params, values(2, N), 0.1 + 0.2));

    TrainingState read = store(root, 3).latestValid().orElseThrow();

    assertThat(read.step()).isEqualTo(100);
    assertThat(read.cursor()).isEqualTo(17);
    assertThat(read.seed()).isEqualTo(-8_070_450_532_247_928_832L);
    assertThat(Double.doubleToRawLongBits(read.lossScale()))
        .isEqualTo(Double.doubleToRawLongBits(0.1 + 0.2));
    assertThat(read.extra()).containsEntry("run", "remote");
    assertThat(bits(read.params())).containsExactly(bits(params));
    assertThat(bits(read.optimizerState().get("adam_m"))).containsExactly(bits(values(2, N)));
  }

  @Test
  void shouldWriteTheFilesAndManifestOfTheLocalFormat() throws IOException {
    String root = freshRoot();
    store(root, 3).write(state(100, values(1, N), values(2, N), 1.0));

    assertThat(names(root + "/step-00000100"))
        .containsExactlyInAnyOrder("params.npy", "adam_m.npy", "state.json", "MANIFEST");
    assertThat(names(root)).containsExactly("step-00000100");
  }

  @Test
  void shouldKeepOnlyTheNewestKSnapshots() throws IOException {
    String root = freshRoot();
    SnapshotStore store = store(root, 2);
    for (long step = 0; step <= 300; step += 100) {
      store.write(state(step, values(step, 10), values(1, 10), 1.0));
    }

    assertThat(names(root)).containsExactlyInAnyOrder("step-00000200", "step-00000300");
    assertThat(store.validSnapshotNames()).containsExactly("step-00000200", "step-00000300");
    assertThat(store.latestValid().orElseThrow().step()).isEqualTo(300);
  }

  @Test
  void shouldSkipSnapshotWithCorruptByteAndReturnThePreviousOne() throws IOException {
    String root = freshRoot();
    SnapshotStore store = store(root, 3);
    store.write(state(100, values(1, N), values(2, N), 1.0));
    store.write(state(200, values(4, N), values(5, N), 1.0));
    flipByte(root + "/step-00000200/params.npy", 200);

    TrainingState resumed = store.latestValid().orElseThrow();

    assertThat(resumed.step()).isEqualTo(100);
    assertThat(bits(resumed.params())).containsExactly(bits(values(1, N)));
  }

  @Test
  void shouldIgnoreSnapshotWithoutManifest() throws IOException {
    String root = freshRoot();
    SnapshotStore store = store(root, 3);
    store.write(state(100, values(1, N), values(2, N), 1.0));
    store.write(state(200, values(4, N), values(5, N), 1.0));
    // What a writer that died in place leaves on an object store: every file but the MANIFEST.
    fs(root).delete(new Path(root + "/step-00000200/MANIFEST"), false);

    assertThat(store.latestValid().orElseThrow().step()).isEqualTo(100);
    assertThat(store.validSnapshotNames()).containsExactly("step-00000100");
  }

  @Test
  void shouldReplaceAnIncompleteSnapshotOfTheSameStep() throws IOException {
    String root = freshRoot();
    SnapshotStore store = store(root, 3);
    store.write(state(100, values(1, N), values(2, N), 1.0));
    fs(root).delete(new Path(root + "/step-00000100/MANIFEST"), false);

    store.write(state(100, values(9, N), values(2, N), 2.0));

    TrainingState read = store.latestValid().orElseThrow();
    assertThat(read.lossScale()).isEqualTo(2.0);
    assertThat(bits(read.params())).containsExactly(bits(values(9, N)));
    assertThat(names(root)).containsExactly("step-00000100");
  }

  @Test
  void shouldRemoveLeftoverTemporaryDirectoryOnTheNextWrite() throws IOException {
    String root = freshRoot();
    SnapshotStore store = store(root, 3);
    store.write(state(100, values(1, N), values(2, N), 1.0));
    Path leftover = new Path(root + "/.tmp-step-00000200-dead");
    try (OutputStream out = fs(root).create(new Path(leftover, "params.npy"))) {
      out.write(new byte[] {1, 2, 3});
    }

    assertThat(store.latestValid().orElseThrow().step()).isEqualTo(100);
    store.write(state(200, values(4, N), values(5, N), 1.0));

    assertThat(fs(root).exists(leftover)).isFalse();
    assertThat(names(root)).containsExactlyInAnyOrder("step-00000100", "step-00000200");
  }

  @Test
  void shouldFindNothingInMissingDirectory() {
    assertThat(store(freshRoot(), 3).latestValid()).isEmpty();
  }

  final String[] names(String dir) throws IOException {
    FileStatus[] statuses = fs(dir).listStatus(new Path(dir));
    return Arrays.stream(statuses).map(s -> s.getPath().getName()).toArray(String[]::new);
  }

  final void flipByte(String file, int offset) throws IOException {
    FileSystem fs = fs(file);
    byte[] bytes;
    try (InputStream in = fs.open(new Path(file))) {
      bytes = in.readAllBytes();
    }
    bytes[offset] ^= 0x01;
    try (OutputStream out = fs.create(new Path(file), true)) {
      out.write(bytes);
    }
  }

  static String uniqueName() {
    return "snaps-" + UUID.randomUUID();
  }

  static TrainingState state(long step, float[] params, float[] m, double lossScale) {
    LinkedHashMap<String, INDArray> optimizer = new LinkedHashMap<>();
    optimizer.put("adam_m", Nd4j.create(m));
    return new TrainingState(
        step,
        2,
        17,
        -8_070_450_532_247_928_832L,
        lossScale,
        "cafe0123",
        4,
        Nd4j.create(params),
        optimizer,
        Math.max(0, step - 1),
        Map.of("run", "remote"));
  }

  static float[] values(long seed, int n) {
    Random random = new Random(seed);
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = (float) random.nextGaussian();
    }
    return out;
  }

  static int[] bits(float[] values) {
    int[] out = new int[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = Float.floatToRawIntBits(values[i]);
    }
    return out;
  }

  static int[] bits(INDArray array) {
    return bits(array.toFloatVector());
  }
}
