package ringtrain.worker.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import ringtrain.common.config.DataConfig;
import ringtrain.common.config.key.DataKeys;

class SyntheticDataTest {
  private static final DataConfig.Synthetic SMALL = new DataConfig.Synthetic(1000, 300, 16, 1.0);

  @Test
  void shouldHaveConfiguredSizesAndBalancedLabels() {
    TrainTest data = DatasetLoader.load(DataConfigs.synthetic(SMALL, 4), 42);

    assertThat(data.train().size()).isEqualTo(1000);
    assertThat(data.test().size()).isEqualTo(300);
    assertThat(data.train().shape()).containsExactly(16);
    int[] counts = new int[4];
    for (int label : data.train().labels()) {
      counts[label]++;
    }
    assertThat(counts).containsExactly(250, 250, 250, 250);
  }

  @Test
  void shouldBeDeterministicForASeedAndDifferentAcrossSeeds() {
    TrainTest a = DatasetLoader.load(DataConfigs.synthetic(SMALL, 4), 42);
    TrainTest b = DatasetLoader.load(DataConfigs.synthetic(SMALL, 4), 42);
    TrainTest c = DatasetLoader.load(DataConfigs.synthetic(SMALL, 4), 43);

    assertThat(a.train().features()).containsExactly(b.train().features());
    assertThat(a.train().labels()).containsExactly(b.train().labels());
    assertThat(a.test().features()).containsExactly(b.test().features());
    assertThat(a.train().features()).isNotEqualTo(c.train().features());
  }

  @Test
  void shouldDrawTestExamplesApartFromTrainingExamples() {
    TrainTest data = DatasetLoader.load(DataConfigs.synthetic(SMALL, 4), 42);

    float[] train = data.train().features();
    float[] test = data.test().features();
    assertThat(java.util.Arrays.copyOf(train, 16)).isNotEqualTo(java.util.Arrays.copyOf(test, 16));
  }

  @Test
  void shouldBeLearnableByNearestClassMean() {
    DataConfig.Synthetic cfg = new DataConfig.Synthetic(2000, 1000, 32, 1.0);
    TrainTest data = DatasetLoader.load(DataConfigs.synthetic(cfg, 10), 7);

    double accuracy = nearestMeanAccuracy(data.train(), data.test());

    // Centroids are shared by train and test; with noise 1 in 32 dimensions the classes barely
    // overlap, so the simplest classifier fitted on train must do far better than chance (0.1).
    assertThat(accuracy).isGreaterThan(0.95);
  }

  @Test
  void shouldBecomeHarderWithMoreNoise() {
    DataConfig.Synthetic quiet = new DataConfig.Synthetic(2000, 1000, 8, 0.5);
    DataConfig.Synthetic loud = new DataConfig.Synthetic(2000, 1000, 8, 4.0);

    double easy = nearestMeanAccuracy(DatasetLoader.load(DataConfigs.synthetic(quiet, 10), 7));
    double hard = nearestMeanAccuracy(DatasetLoader.load(DataConfigs.synthetic(loud, 10), 7));

    assertThat(hard).isLessThan(easy);
    assertThat(hard).isGreaterThan(0.1);
  }

  @Test
  void shouldReshapeToConfiguredImageShape() {
    DataConfig cfg =
        DataConfigs.synthetic(
            new DataConfig.Synthetic(10, 5, 12, 1.0), 3, DataKeys.SHAPE.is(List.of(3, 2, 2)));

    TrainTest data = DatasetLoader.load(cfg, 1);

    assertThat(data.train().shape()).containsExactly(3, 2, 2);
    assertThat(data.test().shape()).containsExactly(3, 2, 2);
  }

  private static double nearestMeanAccuracy(TrainTest data) {
    return nearestMeanAccuracy(data.train(), data.test());
  }

  private static double nearestMeanAccuracy(Dataset train, Dataset test) {
    int d = train.featureCount();
    int k = train.numClasses();
    double[] means = new double[k * d];
    int[] counts = new int[k];
    for (int i = 0; i < train.size(); i++) {
      int c = train.labels()[i];
      counts[c]++;
      for (int f = 0; f < d; f++) {
        means[c * d + f] += train.features()[i * d + f];
      }
    }
    for (int c = 0; c < k; c++) {
      for (int f = 0; f < d; f++) {
        means[c * d + f] /= counts[c];
      }
    }
    int correct = 0;
    for (int i = 0; i < test.size(); i++) {
      int best = -1;
      double bestDistance = Double.MAX_VALUE;
      for (int c = 0; c < k; c++) {
        double distance = 0;
        for (int f = 0; f < d; f++) {
          double diff = test.features()[i * d + f] - means[c * d + f];
          distance += diff * diff;
        }
        if (distance < bestDistance) {
          bestDistance = distance;
          best = c;
        }
      }
      if (best == test.labels()[i]) {
        correct++;
      }
    }
    return (double) correct / test.size();
  }
}
