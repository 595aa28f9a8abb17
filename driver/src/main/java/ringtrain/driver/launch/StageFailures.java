package ringtrain.driver.launch;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.TaskKilled;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/**
 * Remembers the first real task failure of the training stage (not the kills Spark sends to the
 * other ranks of a failed barrier stage): which rank, on which executor and host, and why. Used
 * when the failing rank could not report itself, e.g. because its executor was killed.
 */
final class StageFailures extends SparkListener {

  /**
   * @param rank partition index of the failed task
   * @param executorId Spark executor id
   * @param host executor host
   * @param reason Spark's description of the failure
   */
  record Failure(int rank, String executorId, String host, String reason) {}

  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(StageFailures.class);
  private static final String JOB_GROUP = "spark.jobGroup.id";

  private final String jobGroup;
  private final Set<Integer> stages = ConcurrentHashMap.newKeySet();
  private volatile Failure first;

  /** Watches the stages of the jobs in {@code jobGroup} (one attempt of the training stage). */
  StageFailures(String jobGroup) {
    this.jobGroup = jobGroup;
  }

  @Override
  public void onJobStart(SparkListenerJobStart start) {
    LOG.debug(
        "job start: stages {}, group {}",
        start.stageIds(),
        start.properties() == null ? null : start.properties().getProperty(JOB_GROUP));
    if (start.properties() != null && jobGroup.equals(start.properties().getProperty(JOB_GROUP))) {
      for (int i = 0; i < start.stageIds().size(); i++) {
        stages.add((Integer) start.stageIds().apply(i));
      }
    }
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd end) {
    LOG.debug(
        "task end: stage {} (watching {}), index {}, reason {}",
        end.stageId(),
        stages,
        end.taskInfo().index(),
        end.reason());
    if (!stages.contains(end.stageId()) || end.taskInfo().successful() || first != null) {
      return;
    }
    if (end.reason() instanceof TaskKilled) {
      return;
    }
    String reason = end.reason().toString();
    if (end.reason() instanceof org.apache.spark.TaskFailedReason failed) {
      reason = failed.toErrorString();
    }
    first =
        new Failure(
            end.taskInfo().index(), end.taskInfo().executorId(), end.taskInfo().host(), reason);
  }

  /**
   * The first failure seen, waiting up to {@code max} for it: listener events arrive
   * asynchronously, often after the job's failure has reached the driver. Null if none came.
   */
  Failure await(Duration max) {
    long deadline = System.nanoTime() + max.toNanos();
    while (first == null && System.nanoTime() < deadline) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return first;
  }
}
