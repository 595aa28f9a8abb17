package ringtrain.common.error;

/** A snapshot cannot be used: corrupt, incomplete, or written by a different job. */
public final class SnapshotException extends UserException {
  private static final long serialVersionUID = 1L;

  public SnapshotException(String message) {
    super(message);
  }

  public SnapshotException(String message, Throwable cause) {
    super(message, cause);
  }
}
