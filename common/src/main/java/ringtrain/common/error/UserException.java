package ringtrain.common.error;

/**
 * A mistake the user can fix: bad config, bad data, a corrupt snapshot, a busy port. The message is
 * one line that says what is wrong and how to fix it; the CLI prints it alone and exits with code
 * 2. Anything else that escapes is an internal failure (exit code 1).
 */
public class UserException extends RuntimeException implements UserFixable {
  private static final long serialVersionUID = 1L;

  public UserException(String message) {
    super(message);
  }

  public UserException(String message, Throwable cause) {
    super(message, cause);
  }
}
