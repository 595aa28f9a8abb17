package ringtrain.driver.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import ringtrain.common.error.UserException;

/**
 * A run directory has one owner, across processes: a second process is refused with the holder's
 * pid and host, the holder's files stay as they are, and a holder killed with SIGKILL leaves the
 * directory free (the kernel drops its lock).
 */
class RunDirectoryLockTest {
  @TempDir Path tmp;

  /** The other process: takes the directory, writes a file, prints "held", then waits. */
  public static final class Holder {
    public static void main(String[] args) throws Exception {
      Path root = Path.of(args[0]);
      RunDirectory dir = RunDirectory.open(root, false);
      dir.writeText("config.conf", "holder's config\n");
      System.out.println("held");
      System.out.flush();
      Thread.sleep(120_000);
      dir.close();
    }
  }

  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void shouldRefuseASecondProcessNamingTheHolderAndFreeTheDirectoryWhenTheHolderIsKilled()
      throws Exception {
    Path root = tmp.resolve("run");
    Process holder =
        new ProcessBuilder(
                List.of(
                    ProcessHandle.current().info().command().orElse("java"),
                    "-cp",
                    System.getProperty("java.class.path"),
                    Holder.class.getName(),
                    root.toString()))
            .redirectErrorStream(true)
            .start();
    try {
      String first = new String(holder.getInputStream().readNBytes(5));
      assertThat(first).as("the holder took the directory").isEqualTo("held\n");

      Throwable refused = catchThrowable(() -> RunDirectory.open(root, false));
      assertThat(refused)
          .isInstanceOf(UserException.class)
          .hasMessageContaining("in use by another ringtrain run")
          .hasMessageContaining("pid " + holder.pid() + " on host ");
      assertThat(refused.getMessage()).doesNotContain("\n");
      Throwable resumeRefused = catchThrowable(() -> RunDirectory.open(root, true));
      assertThat(resumeRefused).hasMessageContaining("pid " + holder.pid());
      assertThat(Files.readString(root.resolve("config.conf"))).isEqualTo("holder's config\n");

      holder.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      try (RunDirectory mine = RunDirectory.open(root, false)) {
        assertThat(lockHolder(root)).isEqualTo(ProcessHandle.current().pid() + "@");
      }
    } finally {
      holder.destroyForcibly();
    }
  }

  private static String lockHolder(Path root) throws IOException {
    String text = Files.readString(root.resolve(RunDirectory.LOCK_FILE));
    return text.substring(0, text.indexOf('@') + 1);
  }
}
