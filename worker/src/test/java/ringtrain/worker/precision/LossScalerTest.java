package ringtrain.worker.precision;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LossScalerTest {

  @Test
  void shouldHalveAndSkipOnOverflowAndDoubleAfterTheGrowthInterval() {
    LossScaler scaler = LossScaler.dynamic(LossScaler.DEFAULT_INIT, 3);
    assertThat(scaler.scale()).isEqualTo(65536.0);
    assertThat(scaler.update(false)).isTrue();
    assertThat(scaler.scale()).isEqualTo(32768.0);
    assertThat(scaler.update(true)).isFalse();
    assertThat(scaler.update(true)).isFalse();
    assertThat(scaler.scale()).isEqualTo(32768.0);
    assertThat(scaler.update(true)).isFalse();
    assertThat(scaler.scale()).isEqualTo(65536.0);
    assertThat(scaler.growthTracker()).isZero();
    scaler.update(true);
    scaler.update(true);
    // An overflow resets the count of good steps.
    scaler.update(false);
    assertThat(scaler.growthTracker()).isZero();
    assertThat(scaler.scale()).isEqualTo(32768.0);
    assertThat(scaler.skippedSteps()).isEqualTo(2);
  }

  @Test
  void shouldNeverScaleOrSkipWhenDisabled() {
    LossScaler scaler = LossScaler.disabled();
    assertThat(scaler.update(false)).isFalse();
    assertThat(scaler.scale()).isEqualTo(1.0);
    assertThat(scaler.skippedSteps()).isZero();
  }

  @Test
  void shouldContinueFromRestoredState() {
    LossScaler scaler = LossScaler.dynamic(65536, 2000);
    scaler.restore(1024, 1999, 7);
    scaler.update(true);
    assertThat(scaler.scale()).isEqualTo(2048);
    assertThat(scaler.skippedSteps()).isEqualTo(7);
  }
}
