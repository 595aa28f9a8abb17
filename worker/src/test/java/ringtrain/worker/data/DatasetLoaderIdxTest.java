package ringtrain.worker.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ringtrain.common.config.DataConfig.Normalize;
import ringtrain.common.config.key.DataKeys;
import ringtrain.common.error.ConfigException;
import ringtrain.common.error.DataException;

class DatasetLoaderIdxTest {
  @TempDir Path dir;

  @Test
  void shouldReadPlainIdxFilesInFileOrder() throws IOException {
    IdxFixture.writeDataset(dir, 5, 3, 2, 3, false);

    TrainTest data = DatasetLoader.load(DataConfigs.idx(dir, Normalize.NONE), 1);

    Dataset train = data.train();
    assertThat(train.size()).isEqualTo(5);
    assertThat(train.shape()).containsExactly(1, 2, 3);
    assertThat(train.featureCount()).isEqualTo(6);
    assertThat(train.numClasses()).isEqualTo(10);
    assertThat(train.labels()).containsExactly(0, 1, 2, 3, 4);
    // Example 2 holds (2·7 + p) mod 256 for positions p = 0..5.
    assertThat(Arrays.copyOfRange(train.features(), 12, 18))
        .containsExactly(14f, 15f, 16f, 17f, 18f, 19f);
    assertThat(data.test().size()).isEqualTo(3);
  }

  @Test
  void shouldReadGzippedIdxFilesLikePlainOnes() throws IOException {
    IdxFixture.writeDataset(dir.resolve("plain"), 40, 10, 4, 4, false);
    IdxFixture.writeDataset(dir.resolve("gz"), 40, 10, 4, 4, true);

    TrainTest plain = DatasetLoader.load(DataConfigs.idx(dir.resolve("plain"), Normalize.NONE), 1);
    TrainTest gz = DatasetLoader.load(DataConfigs.idx(dir.resolve("gz"), Normalize.NONE), 1);

    assertThat(gz.train().features()).containsExactly(plain.train().features());
    assertThat(gz.train().labels()).containsExactly(plain.train().labels());
    assertThat(gz.test().features()).containsExactly(plain.test().features());
  }

  @Test
  void shouldReadUnsignedPixelsAndScaleThemByDividingBy255() throws IOException {
    byte[] pixels = {0, 1, (byte) 128, (byte) 255};
    IdxFixture.writeFile(
        dir,
        "train-images-idx3-ubyte",
        IdxFixture.images(IdxReader.IMAGES_MAGIC, 1, 2, 2, pixels),
        false);
    IdxFixture.writeFile(
        dir,
        "train-labels-idx1-ubyte",
        IdxFixture.labels(IdxReader.LABELS_MAGIC, 1, new byte[] {9}),
        false);
    IdxFixture.write(dir, "t10k", 2, 2, 2, false);

    Dataset none = DatasetLoader.load(DataConfigs.idx(dir, Normalize.NONE), 1).train();
    Dataset scaled = DatasetLoader.load(DataConfigs.idx(dir, Normalize.AUTO), 1).train();

    assertThat(none.features()).containsExactly(0f, 1f, 128f, 255f);
    assertThat(scaled.features()).containsExactly(0f, 1f / 255f, 128f / 255f, 1.0f);
    assertThat(scaled.labels()).containsExactly(9);
  }

  @Test
  void shouldKeepOnlyTheFirstExamplesWhenLimited() throws IOException {
    IdxFixture.writeDataset(dir, 20, 10, 2, 2, true);

    TrainTest data =
        DatasetLoader.load(DataConfigs.idx(dir, Normalize.NONE, DataConfigs.limits(7, 3)), 1);

    assertThat(data.train().size()).isEqualTo(7);
    assertThat(data.train().labels()).containsExactly(0, 1, 2, 3, 4, 5, 6);
    assertThat(data.train().features()).hasSize(7 * 4);
    assertThat(data.test().size()).isEqualTo(3);
  }

  @Test
  void shouldUseConfiguredShapeWhenItMatchesTheHeader() throws IOException {
    IdxFixture.writeDataset(dir, 4, 2, 2, 6, false);

    TrainTest data =
        DatasetLoader.load(
            DataConfigs.idx(dir, Normalize.NONE, DataKeys.SHAPE.is(List.of(3, 2, 2))), 1);

    assertThat(data.train().shape()).containsExactly(3, 2, 2);
  }

  @Test
  void shouldRejectConfiguredShapeThatDiffersFromTheHeader() throws IOException {
    IdxFixture.writeDataset(dir, 4, 2, 2, 6, false);

    assertThatThrownBy(
            () ->
                DatasetLoader.load(
                    DataConfigs.idx(dir, Normalize.NONE, DataKeys.SHAPE.is(List.of(1, 3, 3))), 1))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("data.shape = [1, 3, 3] holds 9 values")
        .hasMessageContaining("12 features");
  }

  @Test
  void shouldNameTheDirectoryWhenItIsMissing() {
    Path missing = dir.resolve("nowhere");

    assertThatThrownBy(() -> DatasetLoader.load(DataConfigs.idx(missing, Normalize.NONE), 1))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("data.dir = " + missing + " is not a directory")
        .hasMessageContaining("train-images-idx3-ubyte")
        .hasMessageContaining("t10k-labels-idx1-ubyte");
  }

  @Test
  void shouldNameTheExpectedFileWhenOneIsMissing() throws IOException {
    IdxFixture.writeDataset(dir, 4, 2, 2, 2, true);
    Files.delete(dir.resolve("t10k-labels-idx1-ubyte.gz"));

    assertThatThrownBy(() -> DatasetLoader.load(DataConfigs.idx(dir, Normalize.NONE), 1))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("has no t10k-labels-idx1-ubyte (nor t10k-labels-idx1-ubyte.gz)")
        .hasMessageContaining("train-images-idx3-ubyte, train-labels-idx1-ubyte");
  }

  @Test
  void shouldRejectWrongImagesMagic() throws IOException {
    IdxFixture.writeDataset(dir, 4, 2, 2, 2, false);
    IdxFixture.writeFile(
        dir,
        "train-images-idx3-ubyte",
        IdxFixture.images(0x00000801, 4, 2, 2, new byte[16]),
        false);

    assertThatThrownBy(() -> DatasetLoader.load(DataConfigs.idx(dir, Normalize.NONE), 1))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("train-images-idx3-ubyte: wrong magic number 0x00000801")
        .hasMessageContaining("expected 0x00000803");
  }

  @Test
  void shouldRejectWrongLabelsMagic() throws IOException {
    IdxFixture.writeDataset(dir, 4, 2, 2, 2, true);
    IdxFixture.writeFile(
        dir, "t10k-labels-idx1-ubyte", IdxFixture.labels(0x00000803, 2, new byte[2]), true);

    assertThatThrownBy(() -> DatasetLoader.load(DataConfigs.idx(dir, Normalize.NONE), 1))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("t10k-labels-idx1-ubyte.gz: wrong magic number 0x00000803")
        .hasMessageContaining("expected 0x00000801");
  }

  @Test
  void shouldRejectGzippedContentWithoutGzName() throws IOException {
    IdxFixture.writeDataset(dir, 4, 2, 2, 2, false);
    Path images = dir.resolve("train-images-idx3-ubyte");
    Files.write(images, IdxFixture.gzip(Files.readAllBytes(images)));

    assertThatThrownBy(() -> DatasetLoader.load(DataConfigs.idx(dir, Normalize.NONE), 1))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("wrong magic number 0x1F8B08");
  }

  @Test
  void shouldRejectTruncatedImagesFile() throws IOException {
    IdxFixture.writeFile(
        dir,
        "train-images-idx3-ubyte",
        IdxFixture.images(IdxReader.IMAGES_MAGIC, 3, 2, 2, new byte[10]),
        false);
    IdxFixture.writeFile(
        dir,
        "train-labels-idx1-ubyte",
        IdxFixture.labels(IdxReader.LABELS_MAGIC, 3, new byte[3]),
        false);
    IdxFixture.write(dir, "t10k", 2, 2, 2, false);

    assertThatThrownBy(() -> DatasetLoader.load(DataConfigs.idx(dir, Normalize.NONE), 1))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("train-images-idx3-ubyte is truncated")
        .hasMessageContaining("3 images of 2×2 (12 bytes) but only 10 bytes follow");
  }

  @Test
  void shouldRejectTruncatedLabelsFileInsideGzip() throws IOException {
    IdxFixture.writeDataset(dir, 4, 2, 2, 2, false);
    IdxFixture.writeFile(
        dir,
        "train-labels-idx1-ubyte",
        IdxFixture.labels(IdxReader.LABELS_MAGIC, 4, new byte[1]),
        true);
    Files.delete(dir.resolve("train-labels-idx1-ubyte"));

    assertThatThrownBy(() -> DatasetLoader.load(DataConfigs.idx(dir, Normalize.NONE), 1))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("train-labels-idx1-ubyte.gz is truncated")
        .hasMessageContaining("4 labels but only 1 bytes follow");
  }

  @Test
  void shouldRejectCutOffGzipStream() throws IOException {
    IdxFixture.writeDataset(dir, 50, 2, 8, 8, true);
    Path images = dir.resolve("train-images-idx3-ubyte.gz");
    byte[] whole = Files.readAllBytes(images);
    Files.write(images, Arrays.copyOf(whole, whole.length / 2));

    assertThatThrownBy(() -> DatasetLoader.load(DataConfigs.idx(dir, Normalize.NONE), 1))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("train-images-idx3-ubyte.gz is truncated")
        .hasMessageContaining("the compressed stream ends early");
  }

  @Test
  void shouldRejectTruncatedHeader() throws IOException {
    IdxFixture.writeDataset(dir, 4, 2, 2, 2, false);
    Files.write(dir.resolve("t10k-images-idx3-ubyte"), new byte[] {0, 0, 8, 3, 0, 0});

    assertThatThrownBy(() -> DatasetLoader.load(DataConfigs.idx(dir, Normalize.NONE), 1))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("t10k-images-idx3-ubyte is truncated")
        .hasMessageContaining("the 16-byte header but only 6 bytes follow");
  }

  @Test
  void shouldRejectImageAndLabelCountMismatch() throws IOException {
    IdxFixture.writeDataset(dir, 4, 2, 2, 2, false);
    IdxFixture.writeFile(
        dir,
        "train-labels-idx1-ubyte",
        IdxFixture.labels(IdxReader.LABELS_MAGIC, 5, new byte[5]),
        false);

    assertThatThrownBy(() -> DatasetLoader.load(DataConfigs.idx(dir, Normalize.NONE), 1))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("holds 4 images but")
        .hasMessageContaining("holds 5 labels");
  }

  @Test
  void shouldRejectLabelOutsideNumClasses() throws IOException {
    IdxFixture.writeDataset(dir, 4, 2, 2, 2, false);
    IdxFixture.writeFile(
        dir,
        "train-labels-idx1-ubyte",
        IdxFixture.labels(IdxReader.LABELS_MAGIC, 4, new byte[] {1, 2, (byte) 200, 3}),
        false);

    assertThatThrownBy(() -> DatasetLoader.load(DataConfigs.idx(dir, Normalize.NONE), 1))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("label 200 of example 2 is outside [0, 10)")
        .hasMessageContaining("data.num_classes");
  }

  @Test
  void shouldKeepMessagesOnOneLine() throws IOException {
    IdxFixture.writeDataset(dir, 4, 2, 2, 2, false);
    Files.write(dir.resolve("t10k-images-idx3-ubyte"), new byte[] {0, 0, 8, 3});

    assertThatThrownBy(() -> DatasetLoader.load(DataConfigs.idx(dir, Normalize.NONE), 1))
        .isInstanceOf(DataException.class)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }
}
