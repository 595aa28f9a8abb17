package ringtrain.driver.launch;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import ringtrain.common.metrics.MetricsSink;
import ringtrain.worker.comm.Collective;
import ringtrain.worker.comm.InProcessCollective;
import ringtrain.worker.data.TrainTest;
import ringtrain.worker.loop.TrainingLoop;
import ringtrain.worker.loop.TrainingPlan;
import ringtrain.worker.loop.TrainingResult;
import ringtrain.worker.snapshot.SnapshotStore;
import ringtrain.worker.snapshot.TrainingState;

/**
 * Runs all N ranks inside this JVM, one thread each, joined by an in-process collective. This is
 * the path of {@code train.world_size = 1} and of quick local experiments; cluster runs go through
 * Spark. Rank 0's result is returned.
 */
public final class LocalLauncher {

  private LocalLauncher() {}

  public static TrainingResult run(
      TrainingPlan plan,
      TrainTest data,
      MetricsSink sink,
      SnapshotStore snapshots,
      Optional<TrainingState> resume) {
    int n = plan.job().train().worldSize();
    Duration timeout = plan.job().comm().timeout();
    List<Collective> group = InProcessCollective.group(n, timeout);
    if (n == 1) {
      try (Collective comm = group.get(0)) {
        return new TrainingLoop(plan.job(), plan, data, comm, sink, snapshots).run(resume);
      }
    }
    return onRanks(
        group,
        comm -> {
          SnapshotStore store = comm.rank() == 0 ? snapshots : null;
          return new TrainingLoop(plan.job(), plan, data, comm, sink, store).run(resume);
        });
  }

  /** What one rank does with its collective. */
  @FunctionalInterface
  interface Rank<T> {
    T run(Collective comm) throws Exception;
  }

  /**
   * Runs {@code rank} on every collective of {@code group}, one thread each, and returns rank 0's
   * value. The ranks are joined in the order they end, so the first rank to fail decides the error:
   * every collective is closed at once, which stops the ranks still waiting for it, and its own
   * exception is thrown, not the comm.timeout of a rank that waited for it.
   */
  static <T> T onRanks(List<Collective> group, Rank<T> rank) {
    ExecutorService threads =
        Executors.newFixedThreadPool(
            group.size(),
            r -> {
              Thread t = new Thread(r, "ringtrain-rank");
              t.setDaemon(true);
              return t;
            });
    CompletionService<T> done = new ExecutorCompletionService<>(threads);
    try {
      List<Future<T>> ranks = new ArrayList<>();
      for (Collective comm : group) {
        ranks.add(
            done.submit(
                () -> {
                  Thread.currentThread().setName("ringtrain-rank-" + comm.rank());
                  try (comm) {
                    return rank.run(comm);
                  }
                }));
      }
      for (int ended = 0; ended < ranks.size(); ended++) {
        // Each rank's own waits have deadlines (comm.timeout), so every rank ends.
        done.take().get();
      }
      return ranks.get(0).get();
    } catch (ExecutionException e) {
      for (Collective c : group) {
        c.close();
      }
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException("a rank failed: " + cause, cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while training", e);
    } finally {
      threads.shutdownNow();
    }
  }
}
