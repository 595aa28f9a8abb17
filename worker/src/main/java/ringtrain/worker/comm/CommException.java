package ringtrain.worker.comm;

/**
 * A collective could not complete: a neighbour is silent or gone, or the deadline passed. The
 * message names the rank, its host and the step. A failure the user can fix by changing a setting
 * is a {@link CommSettingException}.
 */
public class CommException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CommException(String message) {
    super(message);
  }

  public CommException(String message, Throwable cause) {
    super(message, cause);
  }
}
