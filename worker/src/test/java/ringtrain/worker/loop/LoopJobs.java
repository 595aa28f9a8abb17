package ringtrain.worker.loop;

import com.typesafe.config.ConfigFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import ringtrain.common.config.JobConfig;
import ringtrain.common.metrics.EvalMetrics;
import ringtrain.common.metrics.MetricsSink;
import ringtrain.common.metrics.StepMetrics;
import ringtrain.worker.comm.Collective;
import ringtrain.worker.data.DatasetLoader;
import ringtrain.worker.data.TrainTest;

/** Job configs over the shipped reference.conf, and N ranks run as threads, for loop tests. */
final class LoopJobs {
  private LoopJobs() {}

  static JobConfig job(String... overrides) {
    return JobConfig.from(
        ConfigFactory.parseString(String.join("\n", overrides))
            .withFallback(ConfigFactory.parseResources("ringtrain/reference.conf"))
            .resolve());
  }

  static TrainTest data(JobConfig job) {
    return DatasetLoader.load(job.data(), job.train().seed());
  }

  static final MetricsSink NO_METRICS =
      new MetricsSink() {
        @Override
        public void onStep(StepMetrics m) {}

        @Override
        public void onEval(EvalMetrics m) {}

        @Override
        public void close() {}
      };

  /** Runs {@code body} once per rank, each on its own thread, and returns the results by rank. */
  static <T> List<T> onRanks(List<Collective> group, Function<Collective, T> body)
      throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(group.size());
    try {
      List<Future<T>> futures = new ArrayList<>();
      for (Collective c : group) {
        Callable<T> task = () -> body.apply(c);
        futures.add(threads.submit(task));
      }
      List<T> out = new ArrayList<>();
      for (Future<T> f : futures) {
        out.add(f.get());
      }
      return out;
    } finally {
      threads.shutdownNow();
    }
  }
}
