package ringtrain.worker.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import ringtrain.common.error.SnapshotException;

class SnapshotStoreTest {
  private static final int N = 1000;

  @TempDir Path root;

  @Test
  void shouldRoundTripEveryFieldBitwise() {
    SnapshotStore store = new SnapshotStore(root.resolve("snaps"), 3);
    float[] params = values(1, N);
    // Values a lossy path would change: negative zero, a subnormal, a NaN with payload, infinities.
    params[0] = -0.0f;
    params[1] = Float.MIN_VALUE;
    params[2] = Float.intBitsToFloat(0x7fc00123);
    params[3] = Float.NEGATIVE_INFINITY;
    float[] m = values(2, N);
    float[] v = values(3, N);
    TrainingState written =
        state(
            100,
            params,
            m,
            v,
            0.1 + 0.2, // not exactly representable in decimal: catches lossy JSON doubles
            Map.of("run", "mnist-mlp"));

    store.write(written);
    TrainingState read = store.latestValid().orElseThrow();

    assertThat(read.step()).isEqualTo(100);
    assertThat(read.epoch()).isEqualTo(2);
    assertThat(read.cursor()).isEqualTo(17);
    assertThat(read.seed()).isEqualTo(-8_070_450_532_247_928_832L);
    assertThat(Double.doubleToRawLongBits(read.lossScale()))
        .isEqualTo(Double.doubleToRawLongBits(0.1 + 0.2));
    assertThat(read.configHash()).isEqualTo("cafe0123");
    assertThat(read.worldSize()).isEqualTo(4);
    assertThat(read.optimizerSteps()).isEqualTo(99);
    assertThat(read.extra()).containsExactlyEntriesOf(Map.of("run", "mnist-mlp"));
    assertThat(read.params().shape()).containsExactly(N);
    assertThat(bits(read.params())).containsExactly(bits(params));
    assertThat(read.optimizerState().keySet()).containsExactly("adam_m", "adam_v");
    assertThat(bits(read.optimizerState().get("adam_m"))).containsExactly(bits(m));
    assertThat(bits(read.optimizerState().get("adam_v"))).containsExactly(bits(v));
  }

  @Test
  void shouldWriteNamedFilesWithManifestOfTheirSha256() throws Exception {
    SnapshotStore store = new SnapshotStore(root, 3);

    Path dir = store.write(state(100, values(1, N), values(2, N), values(3, N), 1.0, Map.of()));

    assertThat(dir).isEqualTo(root.toAbsolutePath().resolve("step-00000100"));
    assertThat(fileNames(dir))
        .containsExactlyInAnyOrder(
            "params.npy", "adam_m.npy", "adam_v.npy", "state.json", "MANIFEST");
    List<String> lines = Files.readAllLines(dir.resolve("MANIFEST"));
    assertThat(lines)
        .containsExactly(
            sha256(dir.resolve("params.npy")) + "  params.npy",
            sha256(dir.resolve("adam_m.npy")) + "  adam_m.npy",
            sha256(dir.resolve("adam_v.npy")) + "  adam_v.npy",
            sha256(dir.resolve("state.json")) + "  state.json");
    JsonNode json = new ObjectMapper().readTree(dir.resolve("state.json").toFile());
    assertThat(json.get("step").asLong()).isEqualTo(100);
    assertThat(json.get("cursor").asLong()).isEqualTo(17);
    assertThat(json.get("world_size").asInt()).isEqualTo(4);
    assertThat(json.get("config_hash").asText()).isEqualTo("cafe0123");
    assertThat(json.get("param_count").asLong()).isEqualTo(N);
  }

  @Test
  void shouldBeReadableByNumpyAsOneDimensionalFloat32() throws Exception {
    assumeTrue(pythonWithNumpy(), "python3 with numpy not available");
    Path script = root.resolve("check_npy.py");
    try (InputStream in = getClass().getResourceAsStream("/snapshot/check_npy.py")) {
      Files.copy(in, script);
    }
    float[] params = values(7, 37);
    params[0] = -0.0f;
    params[1] = Float.MIN_VALUE;
    // A [1, n] row vector in 'f' order, like DL4J's params(): must still land as shape (n,).
    INDArray rowVector = Nd4j.create(params, new long[] {1, params.length}, 'f');
    LinkedHashMap<String, INDArray> optimizer = new LinkedHashMap<>();
    float[] m = values(8, 37);
    optimizer.put("adam_m", Nd4j.create(m));
    Path dir =
        new SnapshotStore(root.resolve("s"), 1)
            .write(new TrainingState(5, 0, 5, 1, 1.0, "h", 1, rowVector, optimizer, 5, Map.of()));

    assertThat(runPython(script, dir.resolve("params.npy"), params)).startsWith("ok shape=(37,)");
    assertThat(runPython(script, dir.resolve("adam_m.npy"), m)).startsWith("ok shape=(37,)");
  }

  @Test
  void shouldSkipSnapshotWithCorruptByteAndReturnThePreviousOne() throws Exception {
    SnapshotStore store = new SnapshotStore(root, 3);
    store.write(state(100, values(1, N), values(2, N), values(3, N), 1.0, Map.of()));
    Path newest = store.write(state(200, values(4, N), values(5, N), values(6, N), 1.0, Map.of()));
    flipByte(newest.resolve("params.npy"), 200);

    TrainingState resumed = store.latestValid().orElseThrow();

    assertThat(resumed.step()).isEqualTo(100);
    assertThat(bits(resumed.params())).containsExactly(bits(values(1, N)));
    assertThat(store.validSnapshots())
        .containsExactly(root.toAbsolutePath().resolve("step-00000100"));
  }

  @Test
  void shouldSkipSnapshotWithCorruptStateJson() throws Exception {
    SnapshotStore store = new SnapshotStore(root, 3);
    store.write(state(100, values(1, N), values(2, N), values(3, N), 1.0, Map.of()));
    Path newest = store.write(state(200, values(4, N), values(5, N), values(6, N), 1.0, Map.of()));
    flipByte(newest.resolve("state.json"), 10);

    assertThat(store.latestValid().orElseThrow().step()).isEqualTo(100);
  }

  @Test
  void shouldIgnoreDirectoryWithoutManifest() throws Exception {
    SnapshotStore store = new SnapshotStore(root, 3);
    store.write(state(100, values(1, N), values(2, N), values(3, N), 1.0, Map.of()));
    Path incomplete =
        store.write(state(200, values(4, N), values(5, N), values(6, N), 1.0, Map.of()));
    Files.delete(incomplete.resolve("MANIFEST"));

    assertThat(store.latestValid().orElseThrow().step()).isEqualTo(100);
    assertThat(store.validSnapshots()).hasSize(1);
  }

  @Test
  void shouldIgnoreAndThenCleanLeftoverTemporaryDirectory() throws Exception {
    SnapshotStore store = new SnapshotStore(root, 3);
    store.write(state(100, values(1, N), values(2, N), values(3, N), 1.0, Map.of()));
    // What a writer that died mid-snapshot leaves behind: a hidden directory with some files.
    Path leftover = root.resolve(".tmp-step-00000200-dead");
    Files.createDirectories(leftover);
    Files.write(leftover.resolve("params.npy"), new byte[] {1, 2, 3});

    assertThat(store.latestValid().orElseThrow().step()).isEqualTo(100);
    assertThat(leftover).exists();

    store.write(state(200, values(4, N), values(5, N), values(6, N), 1.0, Map.of()));

    assertThat(leftover).doesNotExist();
    assertThat(fileNames(root)).containsExactlyInAnyOrder("step-00000100", "step-00000200");
  }

  @Test
  void shouldKeepOnlyTheNewestKSnapshots() throws Exception {
    SnapshotStore store = new SnapshotStore(root, 2);
    for (long step = 0; step <= 500; step += 100) {
      store.write(state(step, values(step, 10), values(1, 10), values(2, 10), 1.0, Map.of()));
      assertThat(store.validSnapshots().size()).isLessThanOrEqualTo(2);
    }

    assertThat(fileNames(root)).containsExactlyInAnyOrder("step-00000400", "step-00000500");
    assertThat(store.latestValid().orElseThrow().step()).isEqualTo(500);
  }

  @Test
  void shouldNotCountCorruptSnapshotsTowardsKeep() throws Exception {
    SnapshotStore store = new SnapshotStore(root, 2);
    store.write(state(100, values(1, 10), values(1, 10), values(2, 10), 1.0, Map.of()));
    Path corrupt =
        store.write(state(200, values(2, 10), values(1, 10), values(2, 10), 1.0, Map.of()));
    flipByte(corrupt.resolve("adam_v.npy"), 100);

    store.write(state(300, values(3, 10), values(1, 10), values(2, 10), 1.0, Map.of()));

    assertThat(fileNames(root)).containsExactlyInAnyOrder("step-00000100", "step-00000300");
  }

  @Test
  void shouldReplaceSnapshotOfTheSameStep() throws Exception {
    SnapshotStore store = new SnapshotStore(root, 3);
    store.write(state(100, values(1, N), values(2, N), values(3, N), 1.0, Map.of()));
    store.write(state(100, values(9, N), values(2, N), values(3, N), 2.0, Map.of()));

    TrainingState read = store.latestValid().orElseThrow();

    assertThat(read.lossScale()).isEqualTo(2.0);
    assertThat(bits(read.params())).containsExactly(bits(values(9, N)));
    assertThat(fileNames(root)).containsExactly("step-00000100");
  }

  @Test
  void shouldFindNothingInMissingOrEmptyDirectory() throws Exception {
    assertThat(new SnapshotStore(root.resolve("missing"), 3).latestValid()).isEmpty();
    assertThat(new SnapshotStore(root, 3).latestValid()).isEmpty();
  }

  @Test
  void shouldFailWithOneLineWhenSnapshotDirIsAFile() throws Exception {
    Path file = Files.writeString(root.resolve("snaps"), "not a directory");
    SnapshotStore store = new SnapshotStore(file, 3);

    assertThatThrownBy(
            () -> store.write(state(1, values(1, 4), values(1, 4), values(1, 4), 1.0, Map.of())))
        .isInstanceOf(SnapshotException.class)
        .hasMessageContaining("snapshot.dir")
        .hasMessageContaining("is a file")
        .hasMessageNotContaining("\n");
    assertThatThrownBy(store::latestValid).isInstanceOf(SnapshotException.class);
  }

  @Test
  void shouldRejectKeepBelowOne() {
    assertThatThrownBy(() -> new SnapshotStore(root, 0))
        .isInstanceOf(SnapshotException.class)
        .hasMessageContaining("snapshot.keep");
  }

  private static TrainingState state(
      long step,
      float[] params,
      float[] m,
      float[] v,
      double lossScale,
      Map<String, String> extra) {
    LinkedHashMap<String, INDArray> optimizer = new LinkedHashMap<>();
    optimizer.put("adam_m", Nd4j.create(m));
    optimizer.put("adam_v", Nd4j.create(v));
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
        extra);
  }

  private static float[] values(long seed, int n) {
    Random random = new Random(seed);
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = (float) random.nextGaussian();
    }
    return out;
  }

  private static int[] bits(float[] values) {
    int[] out = new int[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = Float.floatToRawIntBits(values[i]);
    }
    return out;
  }

  private static int[] bits(INDArray array) {
    return bits(array.toFloatVector());
  }

  private static void flipByte(Path file, int offset) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    bytes[offset] ^= 0x01;
    Files.write(file, bytes);
  }

  private static List<String> fileNames(Path dir) throws IOException {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.map(p -> p.getFileName().toString()).toList();
    }
  }

  private static String sha256(Path file) throws Exception {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }

  private static boolean pythonWithNumpy() {
    try {
      Process p =
          new ProcessBuilder("python3", "-c", "import numpy").redirectErrorStream(true).start();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Runs the NumPy check; the expected hash is computed here from the raw float bits. */
  private static String runPython(Path script, Path npy, float[] expected) throws Exception {
    ByteBuffer le = ByteBuffer.allocate(expected.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float f : expected) {
      le.putInt(Float.floatToRawIntBits(f));
    }
    String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(le.array()));
    List<String> command = new ArrayList<>(List.of("python3", script.toString()));
    command.addAll(List.of(npy.toString(), Integer.toString(expected.length), hash));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(output).isZero();
    return output;
  }
}
