package ringtrain.driver.launch;

import java.util.List;

/**
 * A rank's training failed: carries the typed {@link RankFailure} (kind, rank, host, step, cause
 * and the rank's last log lines). The message is the failure's one line; the log tail is kept apart
 * so that the command line prints it once, under its own header. Thrown on the executor without a
 * cause, so that it always survives Spark's serialization of task failures.
 */
public final class RankFailedException extends RuntimeException {
  private static final long serialVersionUID = 2L;

  private static final int MAX_LINE = 240;

  private final RankFailure failure;

  public RankFailedException(RankFailure failure) {
    super(failure.line(), null, false, false);
    this.failure = failure;
  }

  public RankFailure failure() {
    return failure;
  }

  public int rank() {
    return failure.rank();
  }

  public String host() {
    return failure.host();
  }

  /**
   * The header and lines of the rank's log tail, ready to print after the one-line message; empty
   * when there is no tail.
   */
  public List<String> logTailBlock() {
    List<String> tail = failure.logTail();
    if (tail.isEmpty()) {
      return List.of();
    }
    java.util.ArrayList<String> block = new java.util.ArrayList<>();
    block.add("last " + tail.size() + " lines of the log of rank " + failure.rank() + ":");
    for (String line : tail) {
      // Executor logs start with the whole JVM command line; keep the block readable.
      block.add("  " + (line.length() > MAX_LINE ? line.substring(0, MAX_LINE) + " …" : line));
    }
    return block;
  }
}
