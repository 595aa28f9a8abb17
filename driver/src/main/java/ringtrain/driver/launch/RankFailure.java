package ringtrain.driver.launch;

import java.io.Serializable;
import java.util.List;

/**
 * Why a rank stopped, as the driver needs to know it: what kind of failure (which decides whether
 * retrying can help and which exit code the user gets), where, at which step, and the rank's last
 * log lines. Holds only strings and numbers, so it crosses Spark's task-failure path intact
 * whatever the original exception held.
 *
 * @param kind what kind of failure
 * @param rank the rank that reported or was lost
 * @param host its executor's host
 * @param attempt the stage attempt
 * @param step the optimizer step it was at, or -1 when unknown
 * @param cause one line: what happened
 * @param logTail the last lines the rank logged, oldest first (may be empty)
 * @param trace the original stack trace as text, shown with --verbose only (may be empty)
 */
public record RankFailure(
    Kind kind,
    int rank,
    String host,
    int attempt,
    long step,
    String cause,
    List<String> logTail,
    String trace)
    implements Serializable {

  /** The three answers a failed rank can give. */
  public enum Kind {
    /** A mistake the user can fix (config, data, snapshot, address): retrying cannot help. */
    USER,
    /** The rank ran but its work failed (a silent neighbour, a broken ring, a crash). */
    INFRASTRUCTURE,
    /** The rank's executor vanished (killed, out of memory, host gone). */
    LOST
  }

  public RankFailure {
    cause = oneLine(cause);
    logTail = List.copyOf(logTail);
    trace = trace == null ? "" : trace;
  }

  /** Whether another stage attempt may succeed. */
  public boolean retryable() {
    return kind != Kind.USER;
  }

  /** The same failure with the step filled in when the rank itself did not know it. */
  public RankFailure atStep(long knownStep) {
    if (step >= 0 || knownStep < 0) {
      return this;
    }
    return new RankFailure(kind, rank, host, attempt, knownStep, cause, logTail, trace);
  }

  /** The one line the user reads. */
  public String line() {
    if (kind == Kind.USER) {
      return "rank " + rank + " on host " + host + ": " + cause;
    }
    return "rank "
        + rank
        + " on host "
        + host
        + " failed (stage attempt "
        + attempt
        + "): "
        + cause
        + (step >= 0 ? " (last logged step " + step + ")" : "");
  }

  /** Collapses a multi-line description (Spark's reasons, exception messages) into one line. */
  static String oneLine(String text) {
    if (text == null || text.isBlank()) {
      return "no reason given";
    }
    String flat = text.strip().replaceAll("\\s*\\R\\s*", "; ");
    return flat.length() > 400 ? flat.substring(0, 400) + " …" : flat;
  }
}
