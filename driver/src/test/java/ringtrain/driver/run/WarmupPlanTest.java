package ringtrain.driver.run;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ringtrain.common.config.JobConfig;
import ringtrain.driver.cli.Main;
import ringtrain.driver.config.ConfigLoader;
import ringtrain.worker.loop.TrainingPlan;

/**
 * The warmup as the user gives it (steps or epochs) reaches the plan, and a bad one stops early.
 */
class WarmupPlanTest {
  @TempDir Path tmp;

  @Test
  void shouldShowTheStepsDerivedFromWarmupEpochsInThePlan() {
    JobConfig job =
        JobConfig.from(
            ConfigLoader.load(
                null,
                List.of(
                    "data.format=synthetic",
                    "train.micro_batch=64",
                    "schedule.name=poly",
                    "schedule.warmup_epochs=1.5")));
    // 8192 synthetic examples / 64 = 128 steps per epoch; 1.5 epochs = 192 warmup steps.
    TrainingPlan plan = TrainingPlan.of(job, 8192);
    assertThat(plan.warmupSteps()).isEqualTo(192);
    assertThat(PlanText.render(plan, "snapshots", 2048))
        .contains("poly, warmup 192 (1.5 epochs) of 1280 steps");
  }

  @Test
  void shouldRefuseAWarmupLongerThanTheRunWithOneLineAndWriteNothing() {
    Path out = tmp.resolve("run");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintWriter err = new PrintWriter(bytes, true, StandardCharsets.UTF_8);
    int code =
        Main.run(
            err,
            "train",
            "--out",
            out.toString(),
            "--set",
            "data.format=synthetic",
            "--set",
            "train.steps=50",
            "--set",
            "schedule.warmup_steps=80");
    String message = bytes.toString(StandardCharsets.UTF_8);
    assertThat(code).as(message).isEqualTo(2);
    assertThat(message.strip().lines().count()).isEqualTo(1);
    assertThat(message).contains("schedule.warmup_steps = 80 is longer than the run (50 steps)");
    assertThat(Files.exists(out)).isFalse();
  }
}
