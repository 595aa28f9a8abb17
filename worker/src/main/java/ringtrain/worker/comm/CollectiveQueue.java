package ringtrain.worker.comm;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

/**
 * The one asynchronous path of a {@link Collective}: a single thread per rank that runs the rank's
 * collectives one at a time, in the order they were queued. Every rank queues the same collectives
 * in the same order, so a queued bucket meets the same bucket on every other rank, while the caller
 * goes on computing. A blocking collective is one queued and awaited at once.
 *
 * <p>{@link PendingReduce#await()} ends by the deadline even if the thread itself stalls: it fails
 * once the collective has made no progress for twice {@code comm.timeout} since it started, or
 * since it was queued while an earlier one runs (the collective's own wait fails after one timeout,
 * so this only catches a thread that stopped checking).
 */
final class CollectiveQueue {
  /** How long an idle thread lives when the queue lets it exit. */
  private static final long IDLE_EXIT_SECONDS = 30;

  /** Extra time a collective still queued behind others gets before its wait fails. */
  private static final long QUEUED_GRACE_NS = TimeUnit.SECONDS.toNanos(10);

  private final int rank;
  private final String worker;
  private final Duration timeout;
  private final LongSupplier nanosSinceProgress;
  private final ThreadPoolExecutor thread;

  /**
   * @param threadName the name of the queue's thread
   * @param worker what runs the collectives, as a failure message names it ("the ring thread")
   * @param nanosSinceProgress nanoseconds since the collective last moved data
   * @param exitWhenIdle whether the thread ends when idle (and the next collective starts a new
   *     one), so that a group nobody closes leaves no thread behind; otherwise it lives until
   *     {@link #shutdown}, one thread for the collective's whole life (its CPU time can be read)
   */
  CollectiveQueue(
      int rank,
      String threadName,
      String worker,
      Duration timeout,
      LongSupplier nanosSinceProgress,
      boolean exitWhenIdle) {
    this.rank = rank;
    this.worker = worker;
    this.timeout = timeout;
    this.nanosSinceProgress = nanosSinceProgress;
    this.thread =
        new ThreadPoolExecutor(
            1,
            1,
            IDLE_EXIT_SECONDS,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, threadName);
              t.setDaemon(true);
              return t;
            });
    this.thread.allowCoreThreadTimeOut(exitWhenIdle);
  }

  /**
   * Queues {@code work}; the handle's {@link PendingReduce#await()} rethrows its failure as a
   * {@link CommException} with the same message.
   *
   * @param waitingFor what a caller waits for, as failure messages name it ("step 12")
   */
  PendingReduce submit(String waitingFor, Runnable work) {
    Task task = new Task(waitingFor);
    task.future =
        thread.submit(
            () -> {
              task.startNanos = System.nanoTime();
              task.started = true;
              try {
                work.run();
              } finally {
                task.endNanos = System.nanoTime();
              }
            });
    return task;
  }

  /**
   * Interrupts the running collective, drops the queued ones, and waits for the thread to end.
   *
   * @return whether it ended within {@code wait}
   */
  boolean shutdown(Duration wait) throws InterruptedException {
    for (Runnable queued : thread.shutdownNow()) {
      if (queued instanceof Future<?> f) {
        f.cancel(false);
      }
    }
    return thread.awaitTermination(wait.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Whether the thread has ended after {@link #shutdown}. */
  boolean isTerminated() {
    return thread.isTerminated();
  }

  /** One queued collective. */
  private final class Task implements PendingReduce {
    private final String waitingFor;
    private final long submitNanos = System.nanoTime();
    private volatile Future<?> future;
    private volatile boolean started;
    private volatile long startNanos;
    private volatile long endNanos;

    Task(String waitingFor) {
      this.waitingFor = waitingFor;
    }

    @Override
    public boolean isDone() {
      return future.isDone();
    }

    @Override
    public void await() {
      long timeoutMs = timeout.toMillis();
      while (true) {
        try {
          future.get(timeoutMs, TimeUnit.MILLISECONDS);
          return;
        } catch (TimeoutException e) {
          // Counted from this collective's start: a thread that started it late, on a busy host,
          // has had less than its own timeout. One still queued waits for the earlier ones, each
          // bounded by its own timeout, and gets QUEUED_GRACE more before the thread counts as
          // stuck.
          long stalled = nanosSinceProgress.getAsLong();
          long limit = 2 * timeout.toNanos();
          long waited =
              started
                  ? System.nanoTime() - startNanos
                  : System.nanoTime() - submitNanos - QUEUED_GRACE_NS;
          if (Math.min(stalled, waited) > limit) {
            throw new CommException(
                "rank "
                    + rank
                    + ": "
                    + worker
                    + " made no progress for "
                    + Duration.ofNanos(stalled)
                    + " ("
                    + waitingFor
                    + ")");
          }
        } catch (CancellationException e) {
          throw new CommException(
              "rank " + rank + ": the collective was closed before " + waitingFor + " ran", e);
        } catch (ExecutionException e) {
          Throwable cause = e.getCause();
          throw new CommException(cause.getMessage(), cause);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new CommException("interrupted while waiting for " + waitingFor, e);
        }
      }
    }

    @Override
    public long startNanos() {
      return startNanos;
    }

    @Override
    public long endNanos() {
      return endNanos;
    }
  }
}
