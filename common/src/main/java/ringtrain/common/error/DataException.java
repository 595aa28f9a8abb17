package ringtrain.common.error;

/** A dataset file is missing, truncated, malformed, or holds an out-of-range label. */
public final class DataException extends UserException {
  private static final long serialVersionUID = 1L;

  public DataException(String message) {
    super(message);
  }

  public DataException(String message, Throwable cause) {
    super(message, cause);
  }
}
