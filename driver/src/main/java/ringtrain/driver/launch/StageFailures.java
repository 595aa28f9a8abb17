package ringtrain.driver.launch;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.ExceptionFailure;
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
   * @param exception what the task threw, as deserialized on the driver, or null (a lost executor,
   *     or an exception that could not be deserialized)
   */
  record Failure(int rank, String executorId, String host, String reason, Throwable exception) {

    /** The typed failure the rank reported, if it reported one. */
    RankFailure reported() {
      for (Throwable t = exception; t != null && t.getCause() != t; t = t.getCause()) {
        if (t instanceof RankFailedException r) {
          return r.failure();
        }
      }
      return null;
    }
  }

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
    Throwable exception = null;
    if (end.reason() instanceof ExceptionFailure thrown && thrown.exception().isDefined()) {
      exception = thrown.exception().get();
    }
    first =
        new Failure(
            end.taskInfo().index(),
            end.taskInfo().executorId(),
            end.taskInfo().host(),
            reason,
            exception);
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
