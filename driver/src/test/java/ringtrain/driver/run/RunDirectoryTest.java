package ringtrain.driver.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ringtrain.common.error.UserException;

/** Which directories a fresh run may use. */
class RunDirectoryTest {
  @TempDir Path tmp;

  @Test
  void shouldReuseADirectoryWhoseRunStoppedBeforeItsFirstStep() throws Exception {
    Path root = Files.createDirectories(tmp.resolve("run"));
    Files.writeString(root.resolve("config.conf"), "old");
    Files.writeString(root.resolve("plan.txt"), "old plan");
    Files.writeString(root.resolve("metrics.jsonl"), "");
    Files.createDirectories(root.resolve("snapshots"));
    try (RunDirectory dir = RunDirectory.open(root, false)) {
      assertThat(dir.root()).isEqualTo(root);
    }
  }

  @Test
  void shouldRefuseADirectoryWhoseRunMadeProgress() throws Exception {
    for (String progress : new String[] {"metrics.jsonl", "summary.json", "model.zip"}) {
      Path root = Files.createDirectories(tmp.resolve("run-" + progress));
      Files.writeString(root.resolve("config.conf"), "old");
      Files.writeString(root.resolve(progress), "{\"step\":1}\n");
      assertThat(catchThrowable(() -> RunDirectory.open(root, false)))
          .as(progress)
          .isInstanceOf(UserException.class)
          .hasMessageContaining("already holds a run");
    }
    Path root = Files.createDirectories(tmp.resolve("run-snapshot"));
    Files.writeString(root.resolve("config.conf"), "old");
    Files.createDirectories(root.resolve("snapshots/step-00000002"));
    assertThat(catchThrowable(() -> RunDirectory.open(root, false)))
        .hasMessageContaining("already holds a run");
  }
}
