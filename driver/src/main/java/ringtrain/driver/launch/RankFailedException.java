package ringtrain.driver.launch;

import java.util.List;

/**
 * A rank's training failed: names the rank, its host and stage attempt, and carries the last lines
 * the rank logged, so that the user sees them on the driver without opening executor logs.
 */
public final class RankFailedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private static final int MAX_LINE = 240;

  private final int rank;
  private final String host;

  public RankFailedException(
      int rank, String host, int attempt, String what, List<String> logTail, Throwable cause) {
    super(message(rank, host, attempt, what, logTail), cause);
    this.rank = rank;
    this.host = host;
  }

  public int rank() {
    return rank;
  }

  public String host() {
    return host;
  }

  static String message(int rank, String host, int attempt, String what, List<String> logTail) {
    StringBuilder m =
        new StringBuilder("rank ")
            .append(rank)
            .append(" on host ")
            .append(host)
            .append(" failed (stage attempt ")
            .append(attempt)
            .append("): ")
            .append(what);
    if (!logTail.isEmpty()) {
      m.append("\nlast ").append(logTail.size()).append(" lines of its log:");
      for (String line : logTail) {
        // Executor logs start with the whole JVM command line; keep the message readable.
        m.append("\n  ")
            .append(line.length() > MAX_LINE ? line.substring(0, MAX_LINE) + " …" : line);
      }
    }
    return m.toString();
  }
}
