package ringtrain.driver.launch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end of an embedded executor's log, for the message about a rank whose executor vanished.
 * Spark 3.5's local-cluster gives each worker a temporary work directory ({@code
 * java.io.tmpdir/worker-*}) holding {@code APP/EXECUTOR/stderr}.
 */
final class ExecutorLog {
  private static final Logger LOG = LoggerFactory.getLogger(ExecutorLog.class);
  private static final int LINES = 20;

  /** The JVM's notice for the Vector API, first line of every executor log: not news. */
  private static final String INCUBATOR_NOTICE = "WARNING: Using incubator modules";

  private ExecutorLog() {}

  /** The last lines of executor {@code executorId}'s stderr, or none if it cannot be found. */
  static List<String> tail(String applicationId, String executorId) {
    Path log;
    try (var workers =
        Files.newDirectoryStream(Path.of(System.getProperty("java.io.tmpdir")), "worker-*")) {
      log = null;
      for (Path worker : workers) {
        Path candidate = worker.resolve(applicationId).resolve(executorId).resolve("stderr");
        if (Files.isRegularFile(candidate)) {
          log = candidate;
        }
      }
    } catch (IOException e) {
      return List.of();
    }
    if (log == null) {
      return List.of();
    }
    try {
      // Lenient decoding: a log cut by kill -9 may end inside a character.
      String text = new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
      List<String> lines = text.lines().filter(l -> !l.startsWith(INCUBATOR_NOTICE)).toList();
      return new ArrayList<>(lines.subList(Math.max(0, lines.size() - LINES), lines.size()));
    } catch (IOException e) {
      LOG.debug("cannot read the log of executor {} at {}: {}", executorId, log, e.toString());
      return List.of();
    }
  }
}
