package ringtrain.worker.comm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.Test;
import ringtrain.common.numeric.Dtype;

/** Golden values from src/test/resources/comm/wire_golden.py (output in wire_golden.txt). */
class DtypeTest {

  static List<String[]> golden() throws IOException {
    List<String[]> rows = new ArrayList<>();
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(
                Objects.requireNonNull(
                    DtypeTest.class.getResourceAsStream("/comm/wire_golden.txt")),
                StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (!line.startsWith("#")) {
          rows.add(line.trim().split("\\s+"));
        }
      }
    }
    return rows;
  }

  static float bits(String hex) {
    return Float.intBitsToFloat(Integer.parseUnsignedInt(hex, 16));
  }

  @Test
  void shouldRoundLikeNumpyFloat16AndBf16() throws IOException {
    int checked = 0;
    for (String[] row : golden()) {
      if (row[0].startsWith("fp") || row[0].startsWith("bf")) {
        continue;
      }
      float value = bits(row[0]);
      assertThat(Float.floatToRawIntBits(Dtype.FP16.round(value)))
          .as("fp16 of %s", value)
          .isEqualTo(Integer.parseUnsignedInt(row[1], 16));
      assertThat(Float.floatToRawIntBits(Dtype.BF16.round(value)))
          .as("bf16 of %s", value)
          .isEqualTo(Integer.parseUnsignedInt(row[2], 16));
      assertThat(Dtype.FP16.round(-value)).isEqualTo(-Dtype.FP16.round(value));
      checked++;
    }
    assertThat(checked).isEqualTo(17);
  }

  @Test
  void shouldRoundTripEveryHalfAndBf16BitPattern() {
    for (int h = 0; h < 0x10000; h++) {
      float f = Dtype.halfToFloat((short) h);
      if (!Float.isNaN(f)) {
        assertThat(Dtype.floatToHalf(f) & 0xffff).isEqualTo(h);
      }
      float b = Dtype.bf16ToFloat((short) h);
      if (!Float.isNaN(b)) {
        assertThat(Dtype.floatToBf16(b) & 0xffff).isEqualTo(h);
      }
    }
  }

  @Test
  void shouldOverflowFp16ToInfinityButKeepNan() {
    assertThat(Dtype.FP16.round(1e5f)).isEqualTo(Float.POSITIVE_INFINITY);
    assertThat(Dtype.FP16.round(-1e5f)).isEqualTo(Float.NEGATIVE_INFINITY);
    assertThat(Dtype.FP16.round(Float.NaN)).isNaN();
    assertThat(Dtype.BF16.round(Float.NaN)).isNaN();
  }

  @Test
  void shouldRoundBf16BranchFreeExactlyLikeTheTextbookRule() {
    int[] edges = {
      0x7f800001,
      0x7fbfffff,
      0x7fc00000,
      0x7fffffff,
      0xff800001,
      0xffffffff, // NaNs
      0x7f800000,
      0xff800000,
      0x7f7fffff,
      0xff7fffff,
      0x7f7f8000,
      0x00008000,
      0x00018000,
      0,
      1
    };
    java.util.SplittableRandom random = new java.util.SplittableRandom(11);
    for (int i = 0; i < 2_000_000 + edges.length; i++) {
      int bits = i < edges.length ? edges[i] : random.nextInt();
      float value = Float.intBitsToFloat(bits);
      int expected;
      if (Float.isNaN(value)) {
        expected = (bits >>> 16) | 0x0040; // quiet NaN, payload's top bits kept
      } else {
        expected = (bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16; // nearest, ties to even
      }
      assertThat(Dtype.floatToBf16(value) & 0xffff)
          .as("bits %08x", bits)
          .isEqualTo(expected & 0xffff);
    }
    assertThat(Dtype.bf16ToFloat(Dtype.floatToBf16(Float.intBitsToFloat(0x7f800001)))).isNaN();
  }
}
