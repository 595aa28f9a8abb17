package ringtrain.driver.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Data parallelism is exact: N ranks with micro-batch b, one rank with micro-batch N·b and one rank
 * accumulating N micro-batches of b reach the same parameters, to float tolerance.
 */
class DataParallelEquivalenceTest {
  @TempDir Path tmp;

  /**
   * Largest parameter difference accepted after 25 AdamW steps, from FP32 summation order alone.
   */
  private static final double TOLERANCE = 1e-6;

  private INDArray train(String name, String... shape) {
    List<String> job =
        new ArrayList<>(
            List.of(
                "data.format=synthetic",
                "data.synthetic.train_examples=1024",
                "data.synthetic.test_examples=256",
                "data.synthetic.features=20",
                "model.hidden=[32, 16]",
                "train.steps=25",
                "train.seed=11",
                "schedule.warmup_steps=5",
                "optim.clip_norm=0.5",
                "optim.lr=0.01",
                "snapshot.at_end=false"));
    job.addAll(List.of(shape));
    return new TrainRun(null, job, tmp.resolve(name), false).execute().training().params();
  }

  @Test
  void shouldMatchOneRankWithTheSameGlobalBatch() {
    INDArray oneRank = train("n1", "train.world_size=1", "train.micro_batch=64");
    INDArray twoRanks = train("n2", "train.world_size=2", "train.micro_batch=32");
    INDArray accumulated =
        train("k2", "train.world_size=1", "train.micro_batch=32", "train.accumulation=2");

    System.out.printf(
        "max |N=2 - N=1| %.3g, max |k=2 - N=1| %.3g%n",
        maxAbsDiff(twoRanks, oneRank), maxAbsDiff(accumulated, oneRank));
    assertThat(maxAbsDiff(twoRanks, oneRank)).isLessThan(TOLERANCE);
    assertThat(maxAbsDiff(accumulated, oneRank)).isLessThan(TOLERANCE);
    // Training moved the parameters far more than the tolerance, so the comparison is meaningful.
    INDArray initial = train("n0", "train.world_size=1", "train.micro_batch=64", "optim.lr=0");
    assertThat(maxAbsDiff(oneRank, initial)).isGreaterThan(1000 * TOLERANCE);
  }

  /**
   * Plain SGD without clipping is not invariant to the gradient's scale (AdamW nearly is), so this
   * catches a gradient that is summed where it should be averaged over the global batch.
   */
  @Test
  void shouldMatchOneRankUnderPlainSgd() {
    String[] sgd = {"optim.name=sgd", "optim.clip_norm=0", "optim.weight_decay=0", "optim.lr=0.05"};
    INDArray oneRank = train("s1", concat(sgd, "train.world_size=1", "train.micro_batch=64"));
    INDArray twoRanks = train("s2", concat(sgd, "train.world_size=2", "train.micro_batch=32"));
    INDArray accumulated =
        train(
            "sk",
            concat(sgd, "train.world_size=1", "train.micro_batch=16", "train.accumulation=4"));

    assertThat(maxAbsDiff(twoRanks, oneRank)).isLessThan(TOLERANCE);
    assertThat(maxAbsDiff(accumulated, oneRank)).isLessThan(TOLERANCE);
  }

  private static String[] concat(String[] a, String... b) {
    String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  private static double maxAbsDiff(INDArray a, INDArray b) {
    return a.sub(b).amaxNumber().doubleValue();
  }
}
