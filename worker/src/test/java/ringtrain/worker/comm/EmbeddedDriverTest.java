package ringtrain.worker.comm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ringtrain.common.config.CommConfig;
import ringtrain.common.config.key.CommKeys;
import ringtrain.common.error.UserFixable;

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
        CommConfig.of(
            CommKeys.TIMEOUT.is(java.time.Duration.ofSeconds(5)),
            CommKeys.SOCKET_BUFFER_KB.is(1024L),
            CommKeys.TERM_LENGTH_KB.is(1024L),
            CommKeys.IDLE.is("sleep"),
            CommKeys.DIR.is(base.toString()));
    EmbeddedDriver driver = EmbeddedDriver.start(config, "app", "exec");
    assertThat(driver.directory()).exists();
    assertThat(driver.directory().getParentFile().toPath())
        .isEqualTo(base.resolve("ringtrain-aeron"));
    driver.close();
    driver.close();
    assertThat(driver.directory()).doesNotExist();
  }

  @Test
  void shouldRefuseAnAeronDirectoryUnderAFileAsASettingToChange(@TempDir Path base)
      throws Exception {
    Path file = Files.writeString(base.resolve("shm"), "x");
    assertThatThrownBy(() -> EmbeddedDriver.removeStaleDirectories(file.resolve("ringtrain-aeron")))
        .isInstanceOf(CommSettingException.class)
        .isInstanceOf(UserFixable.class)
        .hasMessageEndingWith("set comm.aeron.dir to a writable directory of this host");
  }

  @Test
  void shouldRefuseAnAeronDirectoryItCannotWrite(@TempDir Path base) throws Exception {
    Path root = Files.createDirectories(base.resolve("ringtrain-aeron"));
    assertThat(root.toFile().setWritable(false, false)).isTrue();
    try {
      assumeFalse(Files.isWritable(root), "root may write anywhere");
      assertThatThrownBy(() -> EmbeddedDriver.removeStaleDirectories(root))
          .isInstanceOf(CommSettingException.class)
          .hasMessage(
              "the Aeron directory root "
                  + root
                  + " is not writable; set comm.aeron.dir to a writable directory of this host");
    } finally {
      root.toFile().setWritable(true, false);
    }
  }
}
