package ringtrain.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README quick start through the launcher, cut short (a slice of Fashion-MNIST, 30 steps): a
 * successful run prints the plan, progress and the result, and not one WARNING or ERROR line that
 * is not about the run (the JVM's incubator notice, Spark's shutdown chatter).
 */
class LauncherQuickStartIT {
  private static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();

  @Test
  @Timeout(value = 6, unit = TimeUnit.MINUTES)
  void shouldPrintNoWarningOrErrorLineOnASuccessfulQuickStart(@TempDir Path tmp) throws Exception {
    Path out = tmp.resolve("run");
    // The build under test is the one this Maven run just packaged: the launcher must not rebuild
    // it because a file under conf/ or src/main is older than the stamp's copy.
    Path stamp = ROOT.resolve("deploy/target/jvm.options");
    Files.setLastModifiedTime(
        stamp, java.nio.file.attribute.FileTime.from(java.time.Instant.now()));
    ProcessBuilder pb =
        new ProcessBuilder(
                List.of(
                    ROOT.resolve("deploy/bin/ringtrain").toString(),
                    "train",
                    "--conf",
                    "conf/examples/fashion-mlp.conf",
                    "--out",
                    out.toString(),
                    "--set",
                    "train.steps=30",
                    "--set",
                    "data.limit_train=2048",
                    "--set",
                    "data.limit_test=512",
                    "--set",
                    "schedule.warmup_steps=5",
                    "--set",
                    "cluster.master=\"local-cluster[2,1,1024]\""))
            .directory(ROOT.toFile());
    pb.environment().put("RINGTRAIN_HEAP", "1g");
    pb.redirectOutput(tmp.resolve("stdout").toFile());
    pb.redirectError(tmp.resolve("stderr").toFile());
    Process p = pb.start();
    assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("the quick start ended").isTrue();
    String stdout = Files.readString(tmp.resolve("stdout"));
    String stderr = Files.readString(tmp.resolve("stderr"));
    System.out.println("quick start stderr:\n" + stderr);
    assertThat(p.exitValue()).as(stderr).isZero();
    assertThat(stdout).contains("ringtrain plan:").contains("test accuracy");
    assertThat(stderr).doesNotContain("building");
    assertThat(stderr.lines())
        .as("stderr of a successful run")
        .noneMatch(l -> l.contains("WARN") || l.contains("ERROR") || l.contains("Exception"));
    assertThat(out.resolve("summary.json")).exists();
  }
}
