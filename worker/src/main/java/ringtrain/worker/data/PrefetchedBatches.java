package ringtrain.worker.data;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.nd4j.linalg.dataset.DataSet;

/**
 * A {@link BatchSource} that assembles the next micro-batch on a background thread while the
 * current step computes: after handing out micro-batch j of step s it starts j+1 (or micro-batch 0
 * of step s+1). The batches are the same, in the same order, as those of the source it wraps; only
 * the time a step waits for them changes. A request out of sequence (the first, or after a resume)
 * is assembled on the caller's thread.
 */
public final class PrefetchedBatches implements BatchSource {
  /** Longest wait for one micro-batch: a stuck reader must not hold the ring forever. */
  private static final long DEADLINE_S = 600;

  private final PlannedBatches source;
  private final int accumulation;
  private final ExecutorService thread;
  private Future<DataSet> pending;
  private long pendingStep = -1;
  private int pendingMicro = -1;
  private long waitNanos;

  /**
   * @param accumulation micro-batches per step k
   * @param name the background thread's name
   */
  public PrefetchedBatches(PlannedBatches source, int accumulation, String name) {
    this.source = source;
    this.accumulation = accumulation;
    this.thread =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, name);
              t.setDaemon(true);
              return t;
            });
  }

  @Override
  public DataSet next(long step, int micro) {
    long t = System.nanoTime();
    DataSet batch;
    if (pending != null && pendingStep == step && pendingMicro == micro) {
      batch = await(pending);
    } else {
      if (pending != null) {
        pending.cancel(false);
      }
      batch = source.assemble(step, micro);
    }
    waitNanos += System.nanoTime() - t;
    long nextStep = micro + 1 < accumulation ? step : step + 1;
    int nextMicro = micro + 1 < accumulation ? micro + 1 : 0;
    pendingStep = nextStep;
    pendingMicro = nextMicro;
    pending = thread.submit(() -> source.assemble(nextStep, nextMicro));
    return batch;
  }

  private static DataSet await(Future<DataSet> f) {
    try {
      return f.get(DEADLINE_S, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException("assembling a micro-batch failed", cause);
    } catch (TimeoutException e) {
      throw new IllegalStateException(
          "no micro-batch assembled within " + DEADLINE_S + " s; the input is stuck", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for a micro-batch", e);
    }
  }

  @Override
  public long waitNanos() {
    return waitNanos;
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
