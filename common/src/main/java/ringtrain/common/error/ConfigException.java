package ringtrain.common.error;

/** A config key is unknown, has the wrong type, or holds a value out of range. */
public final class ConfigException extends UserException {
  private static final long serialVersionUID = 1L;

  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
