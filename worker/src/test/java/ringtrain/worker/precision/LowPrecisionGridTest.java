package ringtrain.worker.precision;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import ringtrain.common.numeric.Dtype;

class LowPrecisionGridTest {

  /** Rows of grid_golden.txt: input, fp16, bf16 (from grid_golden.py next to it). */
  private static List<float[]> golden() throws IOException {
    List<float[]> rows = new ArrayList<>();
    try (InputStream in =
        LowPrecisionGridTest.class.getResourceAsStream("/precision/grid_golden.txt")) {
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        String[] f = line.trim().split(" ");
        rows.add(new float[] {parse(f[0]), parse(f[1]), parse(f[2])});
      }
    }
    return rows;
  }

  private static float parse(String s) {
    return switch (s) {
      case "inf" -> Float.POSITIVE_INFINITY;
      case "-inf" -> Float.NEGATIVE_INFINITY;
      default -> (float) Double.parseDouble(s);
    };
  }

  @Test
  void shouldRoundLikeNumpyHalfAndExactBf16() throws IOException {
    LowPrecisionGrid fp16 = LowPrecisionGrid.of(Dtype.FP16);
    LowPrecisionGrid bf16 = LowPrecisionGrid.of(Dtype.BF16);
    for (float[] row : golden()) {
      assertThat(fp16.round(row[0])).as("fp16(%s)", row[0]).isEqualTo(row[1]);
      assertThat(bf16.round(row[0])).as("bf16(%s)", row[0]).isEqualTo(row[2]);
    }
  }

  @Test
  void shouldRoundArraysAndStridedViewsInPlace() throws IOException {
    List<float[]> rows = golden();
    float[] in = new float[rows.size()];
    for (int i = 0; i < in.length; i++) {
      in[i] = rows.get(i)[0];
    }
    INDArray whole = Nd4j.createFromArray(in);
    LowPrecisionGrid.of(Dtype.FP16).roundInPlace(whole);
    for (int i = 0; i < in.length; i++) {
      assertThat(whole.getFloat(i)).isEqualTo(rows.get(i)[1]);
    }
    // A column of a matrix is strided: only it changes.
    INDArray matrix = Nd4j.createFromArray(in).reshape(in.length / 2, 2).dup('c');
    INDArray column = matrix.get(NDArrayIndex.all(), NDArrayIndex.point(1));
    LowPrecisionGrid.of(Dtype.BF16).roundInPlace(column);
    for (int i = 0; i < in.length / 2; i++) {
      assertThat(matrix.getFloat(i, 0)).isEqualTo(in[2 * i]);
      assertThat(matrix.getFloat(i, 1)).isEqualTo(rows.get(2 * i + 1)[2]);
    }
    INDArray fp32 = Nd4j.createFromArray(in);
    LowPrecisionGrid.of(Dtype.FP32).roundInPlace(fp32);
    assertThat(fp32.data().asFloat()).containsExactly(in);
    assertThat(whole.dataType()).isEqualTo(DataType.FLOAT);
  }
}
