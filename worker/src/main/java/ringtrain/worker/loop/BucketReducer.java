package ringtrain.worker.loop;

import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import ringtrain.worker.comm.Collective;
import ringtrain.worker.comm.ReduceOp;
import ringtrain.worker.comm.WireDtype;

/**
 * Runs bucket all-reduces on one background thread, in the order they are started, while the
 * training thread goes on with backward. A single thread keeps the order identical on every rank;
 * the collective sees ordinary blocking calls. It records when each bucket was in flight, so a step
 * can report how much communication overlapped with compute.
 */
final class BucketReducer implements AutoCloseable {
  private final Collective comm;
  private final ExecutorService thread;
  private final List<Future<long[]>> inFlight = new ArrayList<>();

  BucketReducer(Collective comm) {
    this.comm = comm;
    this.thread =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "ringtrain-buckets-" + comm.rank());
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Queues an average all-reduce of {@code buffer} with {@code wire} values between ranks; do not
   * touch it until {@link #awaitAll}.
   */
  void start(FloatBuffer buffer, long step, WireDtype wire) {
    inFlight.add(
        thread.submit(
            () -> {
              long start = System.nanoTime();
              comm.allReduce(buffer, ReduceOp.AVERAGE, step, wire);
              return new long[] {start, System.nanoTime()};
            }));
  }

  /**
   * Waits for every queued bucket.
   *
   * @param computeEnd when the step's compute finished (System.nanoTime)
   * @return {total nanos buckets were in flight, nanos of that before computeEnd}
   */
  long[] awaitAll(long computeEnd) {
    long busy = 0;
    long overlapped = 0;
    try {
      for (Future<long[]> f : inFlight) {
        long[] span = f.get();
        busy += span[1] - span[0];
        overlapped += Math.max(0, Math.min(span[1], computeEnd) - span[0]);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for gradient buckets", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException(e.getCause());
    } finally {
      inFlight.clear();
    }
    return new long[] {busy, overlapped};
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
