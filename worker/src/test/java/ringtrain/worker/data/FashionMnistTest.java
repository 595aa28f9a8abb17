package ringtrain.worker.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import ringtrain.common.config.DataConfig.Normalize;

/**
 * Loads the real Fashion-MNIST files. Expected values were read from the .gz files with Python's
 * gzip + struct: first train labels 9, 0, 0, 3; first test labels 9, 2, 1; pixel sum of the first
 * training image 76247; largest pixel 255.
 */
class FashionMnistTest {
  private static final Path DIR = Path.of("/usr/share/datasets/fashion-mnist");
  private static TrainTest data;

  @BeforeAll
  static void load() {
    assumeTrue(Files.isDirectory(DIR), "Fashion-MNIST not installed at " + DIR);
    data = DatasetLoader.load(DataConfigs.idx(DIR, Normalize.AUTO), 42);
  }

  @Test
  void shouldHaveTheStandardSplitAndShape() {
    assertThat(data.train().size()).isEqualTo(60000);
    assertThat(data.test().size()).isEqualTo(10000);
    assertThat(data.train().shape()).containsExactly(1, 28, 28);
    assertThat(data.train().featureCount()).isEqualTo(784);
    assertThat(data.train().features()).hasSize(60000 * 784);
  }

  @Test
  void shouldHaveTheKnownLabels() {
    assertThat(data.train().labels()).startsWith(9, 0, 0, 3);
    assertThat(data.test().labels()).startsWith(9, 2, 1);
    assertThat(IntStream.of(data.train().labels()).min().getAsInt()).isZero();
    assertThat(IntStream.of(data.train().labels()).max().getAsInt()).isEqualTo(9);
    assertThat(IntStream.of(data.test().labels()).max().getAsInt()).isEqualTo(9);
    int[] counts = new int[10];
    for (int l : data.train().labels()) {
      counts[l]++;
    }
    assertThat(counts).containsOnly(6000); // Fashion-MNIST is exactly balanced
  }

  @Test
  void shouldScalePixelsIntoUnitInterval() {
    float max = 0;
    float min = Float.MAX_VALUE;
    for (float v : data.train().features()) {
      max = Math.max(max, v);
      min = Math.min(min, v);
    }
    assertThat(max).isEqualTo(1.0f);
    assertThat(min).isEqualTo(0.0f);
    double firstImageSum = 0;
    for (int i = 0; i < 784; i++) {
      firstImageSum += data.train().features()[i];
    }
    assertThat(firstImageSum).isCloseTo(76247 / 255.0, within(1e-3));
  }
}
