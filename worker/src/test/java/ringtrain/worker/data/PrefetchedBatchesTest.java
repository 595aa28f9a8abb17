package ringtrain.worker.data;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;

class PrefetchedBatchesTest {
  private static final Dataset DATA =
      SyntheticData.generate(
              new ringtrain.common.config.DataConfig.Synthetic(200, 10, 8, 1.0), 4, 3)
          .train();

  @Test
  void shouldHandOutTheSameBatchesAsAssemblingThemOnDemand() {
    BatchPlan plan = new BatchPlan(DATA.size(), 2, 8, 3, true, 4);
    PlannedBatches direct = PlannedBatches.replicated(DATA, plan, 1, false);
    try (PrefetchedBatches ahead =
        new PrefetchedBatches(PlannedBatches.replicated(DATA, plan, 1, false), 3, "test-input")) {
      // In order, then out of order (a resume), then in order again.
      long[] steps = {0, 0, 0, 1, 1, 1, 9, 9, 9, 10};
      int[] micros = {0, 1, 2, 0, 1, 2, 0, 1, 2, 0};
      for (int i = 0; i < steps.length; i++) {
        DataSet a = ahead.next(steps[i], micros[i]);
        DataSet b = direct.next(steps[i], micros[i]);
        assertThat(a.getFeatures().data().asFloat())
            .containsExactly(b.getFeatures().data().asFloat());
        assertThat(a.getLabels().data().asFloat()).containsExactly(b.getLabels().data().asFloat());
      }
      assertThat(ahead.waitNanos()).isPositive();
      assertThat(direct.waitNanos()).isPositive();
    }
  }
}
