package ringtrain.worker.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;

class MiniBatchesTest {
  // 4 examples of shape {1, 2, 2}: example e holds 10e, 10e+1, 10e+2, 10e+3; labels 2, 0, 1, 2.
  private static final Dataset IMAGES =
      new Dataset(
          new float[] {0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23, 30, 31, 32, 33},
          new int[] {2, 0, 1, 2},
          new int[] {1, 2, 2},
          3);

  @Test
  void shouldGatherRowsInIndexOrderWithOneHotLabels() {
    DataSet batch = MiniBatches.of(IMAGES, new int[] {3, 1}, false);

    assertThat(batch.getFeatures().shape()).containsExactly(2, 4);
    assertThat(batch.getFeatures().dataType()).isEqualTo(DataType.FLOAT);
    assertThat(batch.getFeatures().toFloatMatrix())
        .isEqualTo(new float[][] {{30, 31, 32, 33}, {10, 11, 12, 13}});
    assertThat(batch.getLabels().shape()).containsExactly(2, 3);
    assertThat(batch.getLabels().dataType()).isEqualTo(DataType.FLOAT);
    assertThat(batch.getLabels().toFloatMatrix()).isEqualTo(new float[][] {{0, 0, 1}, {1, 0, 0}});
  }

  @Test
  void shouldShapeImagesAsBatchChannelsHeightWidth() {
    DataSet batch = MiniBatches.of(IMAGES, new int[] {2, 0, 2}, true);

    assertThat(batch.getFeatures().shape()).containsExactly(3, 1, 2, 2);
    assertThat(batch.getFeatures().getFloat(0, 0, 1, 0)).isEqualTo(22f);
    assertThat(batch.getFeatures().getFloat(1, 0, 0, 1)).isEqualTo(1f);
    assertThat(batch.getLabels().toFloatMatrix())
        .isEqualTo(new float[][] {{0, 1, 0}, {0, 0, 1}, {0, 1, 0}});
  }

  @Test
  void shouldRefuseImageLayoutForFlatData() {
    Dataset flat = IMAGES.withShape(new int[] {4});

    assertThatThrownBy(() -> MiniBatches.of(flat, new int[] {0}, true))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
