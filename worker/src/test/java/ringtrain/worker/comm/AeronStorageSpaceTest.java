package ringtrain.worker.comm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ringtrain.common.config.CommConfig;
import ringtrain.common.config.key.CommKeys;
import ringtrain.common.error.UserFixable;

/**
 * A comm.aeron.dir too small for the ring's term buffers (a small /dev/shm) is a setting to change,
 * named in one line, on a real file system that small: a 24 MiB tmpfs this test mounts and unmounts
 * (it needs root, as CI runs; skipped elsewhere).
 */
class AeronStorageSpaceTest {

  @Test
  void shouldRefuseARingWhoseTermBuffersDoNotFitAsASettingToChange(@TempDir Path base)
      throws Exception {
    Path small = Files.createDirectories(base.resolve("small"));
    assumeTrue(
        run("mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", small.toString()),
        "mounting a tmpfs needs root");
    try {
      // Each publication's log is 3 terms of 16 MiB: 48 MiB, twice what the directory holds.
      CommConfig config =
          CommConfig.of(
              CommKeys.TIMEOUT.is(Duration.ofSeconds(10)),
              CommKeys.SOCKET_BUFFER_KB.is(1024L),
              CommKeys.TERM_LENGTH_KB.is(16384L),
              CommKeys.IDLE.is("sleep"),
              CommKeys.DIR.is(small.toString()));
      Throwable t = catchThrowable(() -> AeronRingTest.inRing(2, config, ring -> {}));
      Throwable setting = t;
      while (setting != null && !(setting instanceof CommSettingException)) {
        setting = setting.getCause();
      }
      assertThat(setting).as("what the ring threw: %s", t).isInstanceOf(UserFixable.class);
      assertThat(setting.getMessage())
          .doesNotContain("\n")
          .contains("the Aeron directory " + small.resolve("ringtrain-aeron"))
          .contains("has no room for the ring's term buffers")
          .endsWith(
              "set comm.aeron.dir to a directory with more free space, or lower"
                  + " comm.aeron.term_length_kb");
    } finally {
      assertThat(run("umount", small.toString())).as("umount " + small).isTrue();
    }
  }

  private static boolean run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
    return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
  }
}
