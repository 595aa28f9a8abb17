package ringtrain.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.SparkContext;
import ringtrain.common.config.ConfigReader;
import ringtrain.common.config.JobConfig;
import ringtrain.common.metrics.StepMetrics;
import ringtrain.driver.config.ConfigLoader;
import ringtrain.driver.launch.ClusterConfig;
import ringtrain.driver.launch.SparkLauncher;
import ringtrain.worker.data.DatasetLoader;
import ringtrain.worker.data.TrainTest;
import ringtrain.worker.loop.TrainingPlan;

/**
 * Whole training runs of a benchmark on one SparkContext, created by the first run with its cluster
 * settings and stopped by {@link #close()}, so that every run of one benchmark meets the same
 * executors.
 */
public final class SparkRuns implements AutoCloseable {
  private SparkContext sc;

  /**
   * Trains {@code conf} (null: the reference settings alone) with {@code overrides} on Spark and
   * returns rank 0's step metrics from step {@code firstKept} on.
   */
  public List<StepMetrics> train(Path conf, List<String> overrides, long firstKept)
      throws IOException {
    var resolved = ConfigLoader.load(conf, overrides);
    JobConfig job = JobConfig.from(resolved);
    ClusterConfig cluster = ClusterConfig.from(new ConfigReader(resolved));
    if (sc == null) {
      sc = SparkLauncher.createContext(cluster, job);
    }
    TrainTest data = DatasetLoader.load(job.data(), job.train().seed());
    TrainingPlan plan = TrainingPlan.of(job, data.train().size());
    StepRecorder recorder = new StepRecorder(firstKept);
    Path snapshots = Files.createTempDirectory("ringtrain-bench-");
    SparkLauncher.run(plan, data, recorder, snapshots, false, cluster);
    return recorder.steps();
  }

  @Override
  public void close() {
    if (sc != null) {
      sc.stop();
    }
  }
}
