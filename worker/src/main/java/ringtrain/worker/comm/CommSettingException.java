package ringtrain.worker.comm;

import ringtrain.common.error.UserFixable;

/**
 * The ring cannot be set up because of something the user controls: the Aeron directory ({@code
 * comm.aeron.dir}) cannot be created or written or has no room for the term buffers, the ranks of
 * an ipc ring run on different hosts. The message names the setting and the fix. Still a {@link
 * CommException} for the collective's callers; as a {@link UserFixable} it ends the run as a user
 * error (exit code 2), not retried.
 */
public final class CommSettingException extends CommException implements UserFixable {
  private static final long serialVersionUID = 1L;

  public CommSettingException(String message) {
    super(message);
  }

  public CommSettingException(String message, Throwable cause) {
    super(message, cause);
  }
}
