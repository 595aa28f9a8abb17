package ringtrain.driver.run;

import static org.assertj.core.api.Assertions.assertThat;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Asserts that two parameter vectors hold the same floats, bit for bit. */
public final class BitwiseParams {
  private BitwiseParams() {}

  /** Fails naming the first parameter whose bits differ. */
  public static void assertBitwiseEqual(INDArray actual, INDArray expected) {
    float[] a = actual.toFloatVector();
    float[] e = expected.toFloatVector();
    assertThat(a.length).isEqualTo(e.length);
    for (int i = 0; i < a.length; i++) {
      if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(e[i])) {
        throw new AssertionError("parameter " + i + " differs: " + a[i] + " vs " + e[i]);
      }
    }
  }
}
