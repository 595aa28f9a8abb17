package ringtrain.worker.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import ringtrain.common.error.SnapshotException;

/** Step counting, live state, snapshot restore and argument checks. */
class OptimizerStateTest {
  private static final ParamLayout LAYOUT =
      new ParamLayout(List.of(new ParamBlock("w", 0, 4, true), new ParamBlock("b", 4, 2, false)));

  private static INDArray grad(int s) {
    return Nd4j.create(new float[] {0.1f * s, -0.2f, 0.3f, 1f / (s + 1), -0.5f, 0.05f * s});
  }

  private static Optimizer adamw() {
    return Optimizers.create(OptimizerGoldenTest.optim("adamw", Map.of()), LAYOUT);
  }

  @Test
  void shouldResumeFromRestoredStateExactlyAsAnUninterruptedRun() {
    INDArray p0 = Nd4j.create(new float[] {0.5f, -0.25f, 1f, 2f, 0.1f, -0.1f});
    Optimizer whole = adamw();
    INDArray pWhole = p0.dup();
    for (int s = 0; s < 6; s++) {
      whole.step(pWhole, grad(s), 0.01);
    }

    Optimizer first = adamw();
    INDArray pResumed = p0.dup();
    for (int s = 0; s < 3; s++) {
      first.step(pResumed, grad(s), 0.01);
    }
    Map<String, INDArray> snapshot = new HashMap<>();
    first.state().forEach((k, v) -> snapshot.put(k, v.dup()));
    Optimizer second = adamw();
    second.restore(first.stepCount(), snapshot);
    for (int s = 3; s < 6; s++) {
      second.step(pResumed, grad(s), 0.01);
    }

    assertThat(second.stepCount()).isEqualTo(6);
    assertThat(pResumed.toFloatVector()).isEqualTo(pWhole.toFloatVector());
    assertThat(second.state().get("adam_v").toFloatVector())
        .isEqualTo(whole.state().get("adam_v").toFloatVector());
  }

  @Test
  void shouldExposeLiveStateTensors() {
    Optimizer optimizer = adamw();
    INDArray m = optimizer.state().get("adam_m");
    optimizer.step(Nd4j.zeros(DataType.FLOAT, 6), grad(1), 0.01);
    assertThat(m.getFloat(1)).isEqualTo(optimizer.state().get("adam_m").getFloat(1)).isNotZero();
    assertThat(m.shape()).containsExactly(6L);
  }

  @Test
  void shouldKeepNoStateForPlainSgd() {
    Optimizer sgd = Optimizers.create(OptimizerGoldenTest.optim("sgd", Map.of()), LAYOUT);
    assertThat(sgd.state()).isEmpty();
    sgd.restore(12, Map.of());
    assertThat(sgd.stepCount()).isEqualTo(12);
  }

  @Test
  void shouldRefuseSnapshotWithoutTheOptimizersState() {
    Optimizer optimizer = adamw();
    Map<String, INDArray> snapshot = Map.of("momentum", Nd4j.zeros(DataType.FLOAT, 6));
    assertThatThrownBy(() -> optimizer.restore(3, snapshot))
        .isInstanceOf(SnapshotException.class)
        .hasMessageContaining("adam_m")
        .hasMessageNotContaining("\n");
  }

  @Test
  void shouldRefuseStateOfWrongLengthAndLeaveStateUntouched() {
    Optimizer optimizer = adamw();
    Map<String, INDArray> snapshot = new LinkedHashMap<>();
    snapshot.put("adam_m", Nd4j.ones(DataType.FLOAT, 6));
    snapshot.put("adam_v", Nd4j.ones(DataType.FLOAT, 5));
    assertThatThrownBy(() -> optimizer.restore(3, snapshot))
        .isInstanceOf(SnapshotException.class)
        .hasMessageContaining("adam_v")
        .hasMessageContaining("5 values")
        .hasMessageContaining("6 parameters");
    assertThat(optimizer.state().get("adam_m").sumNumber().doubleValue()).isZero();
    assertThat(optimizer.stepCount()).isZero();
  }

  @Test
  void shouldRejectParamsOfWrongLengthOrType() {
    Optimizer optimizer = adamw();
    assertThatThrownBy(() -> optimizer.step(Nd4j.zeros(DataType.FLOAT, 5), grad(0), 0.1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("params has 5 values");
    assertThatThrownBy(() -> optimizer.step(Nd4j.zeros(DataType.DOUBLE, 6), grad(0), 0.1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("FP32");
    assertThatThrownBy(() -> optimizer.step(Nd4j.zeros(DataType.FLOAT, 6), grad(0), -0.1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("learning rate");
    assertThat(optimizer.stepCount()).isZero();
  }

  @Test
  void shouldUpdateAViewOfALargerBuffer() {
    // The training loop hands in views of its flat buffers; the update must land in the buffer.
    INDArray buffer = Nd4j.zeros(DataType.FLOAT, 7);
    INDArray params = buffer.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 6));
    Optimizer sgd = Optimizers.create(OptimizerGoldenTest.optim("sgd", Map.of()), LAYOUT);
    sgd.step(params, grad(1), 1.0);
    assertThat(buffer.toFloatVector()).containsExactly(-0.1f, 0.2f, -0.3f, -0.5f, 0.5f, -0.05f, 0f);
  }

  @Test
  void shouldBuildDecayMaskFromBlocks() {
    assertThat(LAYOUT.size()).isEqualTo(6);
    assertThat(LAYOUT.decayMask().toFloatVector()).containsExactly(1f, 1f, 1f, 1f, 0f, 0f);
    assertThatThrownBy(
            () ->
                new ParamLayout(
                    List.of(new ParamBlock("w", 0, 4, true), new ParamBlock("b", 5, 2, false))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("contiguous");
  }
}
