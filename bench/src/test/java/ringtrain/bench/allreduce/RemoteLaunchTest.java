package ringtrain.bench.allreduce;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RemoteLaunchTest {

  @Test
  void launcherWordsGetTheHostAndTheCommandIsOneShellString() {
    List<String> cmd =
        RemoteLaunch.command("ssh -o BatchMode=yes {host}", "gpu-7", List.of("java", "-cp", "a b"));

    assertThat(cmd.subList(0, 4)).containsExactly("ssh", "-o", "BatchMode=yes", "gpu-7");
    assertThat(cmd).hasSize(5);
    assertThat(cmd.get(4))
        .isEqualTo("cd '" + Path.of("").toAbsolutePath() + "' && exec 'java' '-cp' 'a b'");
  }

  @Test
  void aShellGetsBackEveryArgumentUnchanged() throws IOException, InterruptedException {
    // sh -c parses the string as ssh's remote shell would.
    List<String> args = List.of("printf", "%s|", "a b", "it's", "$HOME", "`x`", "\"q\"", "");
    Process p =
        new ProcessBuilder(RemoteLaunch.command("sh -c", "ignored", args))
            .redirectErrorStream(true)
            .start();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

    assertThat(out).isEqualTo("a b|it's|$HOME|`x`|\"q\"||");
    assertThat(p.exitValue()).isZero();
  }

  @Test
  void singleQuotesAreClosedEscapedAndReopened() {
    assertThat(RemoteLaunch.quote("it's")).isEqualTo("'it'\\''s'");
    assertThat(RemoteLaunch.quote("")).isEqualTo("''");
  }
}
