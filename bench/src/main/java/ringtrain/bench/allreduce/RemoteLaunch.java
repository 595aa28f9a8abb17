package ringtrain.bench.allreduce;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line that starts a rank on another host, as {@code mpirun} does over ssh: the
 * launcher's words with {@code {host}} replaced, then the rank's command as one POSIX shell string
 * that first enters this directory (the rank's classpath may be relative to it).
 */
final class RemoteLaunch {
  private RemoteLaunch() {}

  /**
   * @param launcher e.g. {@code ssh -o BatchMode=yes {host}}
   * @param command the rank's command as it would run here
   */
  static List<String> command(String launcher, String host, List<String> command) {
    List<String> result = new ArrayList<>();
    for (String word : launcher.trim().split("\\s+")) {
      result.add(word.replace("{host}", host));
    }
    StringBuilder shell =
        new StringBuilder("cd ")
            .append(quote(Path.of("").toAbsolutePath().toString()))
            .append(" && exec");
    for (String arg : command) {
      shell.append(' ').append(quote(arg));
    }
    result.add(shell.toString());
    return result;
  }

  /** {@code s} in single quotes for a POSIX shell; a single quote inside becomes '\''. */
  static String quote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }
}
