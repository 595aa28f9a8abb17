package ringtrain.driver.launch;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
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
    ExecutorService threads =
        Executors.newFixedThreadPool(
            n,
            r -> {
              Thread t = new Thread(r, "ringtrain-rank");
              t.setDaemon(true);
              return t;
            });
    try {
      List<Future<TrainingResult>> ranks = new ArrayList<>();
      for (int r = 0; r < n; r++) {
        Collective comm = group.get(r);
        SnapshotStore store = r == 0 ? snapshots : null;
        ranks.add(
            threads.submit(
                () -> {
                  Thread.currentThread().setName("ringtrain-rank-" + comm.rank());
                  try (comm) {
                    return new TrainingLoop(plan.job(), plan, data, comm, sink, store).run(resume);
                  }
                }));
      }
      TrainingResult first = null;
      for (Future<TrainingResult> rank : ranks) {
        TrainingResult result = rank.get();
        if (first == null) {
          first = result;
        }
      }
      return first;
    } catch (ExecutionException e) {
      for (Collective c : group) {
        c.close();
      }
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException("a rank failed", cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while training", e);
    } finally {
      threads.shutdownNow();
    }
  }
}
