package ringtrain.worker.comm;

/**
 * A bucket all-reduce that was started and may still be in flight. The buffer passed to {@link
 * Collective#startAllReduce} must not be touched until {@link #await()} returns.
 */
public interface PendingReduce {

  /** Whether the reduction has finished (successfully or not). */
  boolean isDone();

  /**
   * Waits until the reduction is complete.
   *
   * @throws CommException if it failed or no rank made progress within the deadline
   */
  void await();

  /** When the reduction began to run (System.nanoTime); read it after {@link #await()}. */
  long startNanos();

  /** When the reduction ended (System.nanoTime); read it after {@link #await()}. */
  long endNanos();
}
