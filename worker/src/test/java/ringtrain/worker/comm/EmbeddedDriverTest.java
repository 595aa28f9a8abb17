package ringtrain.worker.comm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ringtrain.common.config.CommConfig;

class EmbeddedDriverTest {

  @Test
  void shouldRemoveDirectoriesOfDeadProcessesButKeepLiveOnes(@TempDir Path root) throws Exception {
    Path dead = Files.createDirectories(root.resolve("app-exec1-2147483646"));
    Files.writeString(dead.resolve("cnc.dat"), "left by a crash");
    Path live = Files.createDirectories(root.resolve("app-exec2-" + ProcessHandle.current().pid()));
    Path foreign = Files.createDirectories(root.resolve("not-a-driver"));
    EmbeddedDriver.removeStaleDirectories(root);
    assertThat(dead).doesNotExist();
    assertThat(live).exists();
    assertThat(foreign).exists();
  }

  @Test
  void shouldDeleteItsDirectoryOnClose(@TempDir Path base) {
    CommConfig config =
        new CommConfig(
            java.time.Duration.ofSeconds(5),
            25,
            65504,
            1 << 20,
            1 << 20,
            "shared",
            "sleep",
            "127.0.0.1",
            base.toString());
    EmbeddedDriver driver = EmbeddedDriver.start(config, "app", "exec");
    assertThat(driver.directory()).exists();
    assertThat(driver.directory().getParentFile().toPath())
        .isEqualTo(base.resolve("ringtrain-aeron"));
    driver.close();
    driver.close();
    assertThat(driver.directory()).doesNotExist();
  }
}
