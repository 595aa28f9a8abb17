package ringtrain.common.error;

/**
 * Marks a failure the user can fix (a setting, the data, the host's environment) whatever type it
 * has to be for the code that throws it, e.g. a ring failure that must stay a {@code CommException}
 * for the collective's callers. Its message is one line that says what is wrong and how to fix it.
 *
 * <p>A rank that fails with a {@code UserFixable} anywhere in the cause chain reports a user
 * failure: the driver prints that line alone, exits with code 2 and does not retry the training
 * stage ({@code cluster.max_attempts}), since every attempt would fail the same way.
 */
public interface UserFixable {

  /** The one line: what is wrong and how to fix it. */
  String getMessage();
}
