package ringtrain.worker.ddp;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import ringtrain.common.numeric.Dtype;
import ringtrain.worker.comm.Collective;
import ringtrain.worker.comm.InProcessCollective;

/** Side scalars travel in FP32 whatever the gradient's wire type. */
class GradientBufferTest {

  /** A loss and a gradient value that bf16 (8 significant bits) cannot hold. */
  private static final float LOSS_0 = 1.0078125f + 1e-5f;

  private static final float LOSS_1 = 2.00390625f + 3e-5f;
  private static final float GRAD = 1.0f + 1.0f / 1024;

  private static float[][] reduce(Dtype wire) throws Exception {
    List<Collective> group = InProcessCollective.group(2, Duration.ofSeconds(30));
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try {
      List<Future<float[]>> ranks = new ArrayList<>();
      for (Collective c : group) {
        ranks.add(
            threads.submit(
                () -> {
                  try (c) {
                    GradientBuffer buffer = new GradientBuffer(5);
                    buffer.gradient().assign(GRAD);
                    buffer.set(SideScalar.LOSS, c.rank() == 0 ? LOSS_0 : LOSS_1);
                    buffer.set(SideScalar.NON_FINITE, c.rank());
                    buffer.allReduce(c, 3, wire);
                    return new float[] {
                      (float) buffer.get(SideScalar.LOSS),
                      (float) buffer.get(SideScalar.NON_FINITE),
                      buffer.gradient().getFloat(0)
                    };
                  }
                }));
      }
      return new float[][] {ranks.get(0).get(), ranks.get(1).get()};
    } finally {
      threads.shutdownNow();
    }
  }

  @Test
  void shouldAverageSideScalarsInFp32UnderABf16Wire() throws Exception {
    float[][] out = reduce(Dtype.BF16);
    float exactLoss = (LOSS_0 + LOSS_1) / 2;
    for (float[] rank : out) {
      assertThat(rank[0]).isEqualTo(exactLoss);
      assertThat(rank[1]).isEqualTo(0.5f);
      // The gradient itself did travel in bf16: 1 + 2^-10 is not on its grid.
      assertThat(rank[2]).isEqualTo(Dtype.BF16.round(GRAD));
    }
    assertThat(Dtype.BF16.round(exactLoss)).isNotEqualTo(exactLoss);
  }

  @Test
  void shouldAverageEverythingInOneFp32Collective() throws Exception {
    float[][] out = reduce(Dtype.FP32);
    assertThat(out[0][0]).isEqualTo((LOSS_0 + LOSS_1) / 2);
    assertThat(out[0][2]).isEqualTo(GRAD);
  }
}
