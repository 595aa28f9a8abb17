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

/** Golden values from src/test/resources/comm/wire_golden.py (output in wire_golden.txt). */
class WireDtypeTest {

  static List<String[]> golden() throws IOException {
    List<String[]> rows = new ArrayList<>();
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(
                Objects.requireNonNull(
                    WireDtypeTest.class.getResourceAsStream("/comm/wire_golden.txt")),
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
      assertThat(Float.floatToRawIntBits(WireDtype.FP16.round(value)))
          .as("fp16 of %s", value)
          .isEqualTo(Integer.parseUnsignedInt(row[1], 16));
      assertThat(Float.floatToRawIntBits(WireDtype.BF16.round(value)))
          .as("bf16 of %s", value)
          .isEqualTo(Integer.parseUnsignedInt(row[2], 16));
      assertThat(WireDtype.FP16.round(-value)).isEqualTo(-WireDtype.FP16.round(value));
      checked++;
    }
    assertThat(checked).isEqualTo(17);
  }

  @Test
  void shouldRoundTripEveryHalfAndBf16BitPattern() {
    for (int h = 0; h < 0x10000; h++) {
      float f = WireDtype.halfToFloat((short) h);
      if (!Float.isNaN(f)) {
        assertThat(WireDtype.floatToHalf(f) & 0xffff).isEqualTo(h);
      }
      float b = WireDtype.bf16ToFloat((short) h);
      if (!Float.isNaN(b)) {
        assertThat(WireDtype.floatToBf16(b) & 0xffff).isEqualTo(h);
      }
    }
  }

  @Test
  void shouldOverflowFp16ToInfinityButKeepNan() {
    assertThat(WireDtype.FP16.round(1e5f)).isEqualTo(Float.POSITIVE_INFINITY);
    assertThat(WireDtype.FP16.round(-1e5f)).isEqualTo(Float.NEGATIVE_INFINITY);
    assertThat(WireDtype.FP16.round(Float.NaN)).isNaN();
    assertThat(WireDtype.BF16.round(Float.NaN)).isNaN();
  }
}
