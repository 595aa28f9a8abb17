package ringtrain.worker.data;

import java.util.SplittableRandom;
import ringtrain.common.config.DataConfig;

/**
 * A seeded, learnable classification problem: one centroid per class drawn from a unit Gaussian in
 * feature space, and examples scattered around their class centroid with Gaussian noise. Train and
 * test share the centroids but are drawn from distinct seeds, so the test set is unseen data from
 * the same distribution.
 */
final class SyntheticData {
  private static final long CENTROIDS = 1;
  private static final long TRAIN = 2;
  private static final long TEST = 3;

  private SyntheticData() {}

  /** Generates flat train and test sets; {@code seed} is {@code train.seed}. */
  static TrainTest generate(DataConfig.Synthetic cfg, int numClasses, long seed) {
    int d = cfg.features();
    float[] centroids = new float[numClasses * d];
    Gaussian g = new Gaussian(SeedMix.derive(seed, CENTROIDS));
    for (int i = 0; i < centroids.length; i++) {
      centroids[i] = (float) g.next();
    }
    Dataset train =
        sample(
            cfg.trainExamples(),
            centroids,
            d,
            numClasses,
            cfg.noise(),
            SeedMix.derive(seed, TRAIN));
    Dataset test =
        sample(
            cfg.testExamples(), centroids, d, numClasses, cfg.noise(), SeedMix.derive(seed, TEST));
    return new TrainTest(train, test);
  }

  private static Dataset sample(
      int n, float[] centroids, int d, int numClasses, double noise, long seed) {
    Gaussian g = new Gaussian(seed);
    // Classes in turn, then shuffled: every class gets n/numClasses examples (±1), in random order.
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = i % numClasses;
    }
    SplittableRandom order = new SplittableRandom(SeedMix.mix(seed));
    for (int i = n - 1; i > 0; i--) {
      int j = order.nextInt(i + 1);
      int t = labels[i];
      labels[i] = labels[j];
      labels[j] = t;
    }
    float[] features = new float[n * d];
    for (int i = 0; i < n; i++) {
      int c = labels[i] * d;
      int row = i * d;
      for (int f = 0; f < d; f++) {
        features[row + f] = (float) (centroids[c + f] + noise * g.next());
      }
    }
    return new Dataset(features, labels, new int[] {d}, numClasses);
  }

  /**
   * Standard normal draws by the Marsaglia polar method. Written out (with StrictMath) rather than
   * taken from {@code RandomGenerator.nextGaussian} so the data stay the same on every JDK.
   */
  private static final class Gaussian {
    private final SplittableRandom random;
    private double spare;
    private boolean hasSpare;

    Gaussian(long seed) {
      this.random = new SplittableRandom(seed);
    }

    double next() {
      if (hasSpare) {
        hasSpare = false;
        return spare;
      }
      double u;
      double v;
      double s;
      do {
        u = 2 * random.nextDouble() - 1;
        v = 2 * random.nextDouble() - 1;
        s = u * u + v * v;
      } while (s >= 1 || s == 0);
      double m = StrictMath.sqrt(-2 * StrictMath.log(s) / s);
      spare = v * m;
      hasSpare = true;
      return u * m;
    }
  }
}
