package ringtrain.worker.loop;

import ringtrain.common.config.JobConfig;
import ringtrain.worker.data.BatchPlan;
import ringtrain.worker.schedule.LrScaling;
import ringtrain.worker.schedule.LrSchedule;
import ringtrain.worker.schedule.LrSchedules;

/**
 * The derived numbers of a run: what the plan printout shows and what every rank must agree on.
 *
 * @param trainSize training examples
 * @param globalBatch B = N·b·k
 * @param stepsPerEpoch floor(trainSize / B)
 * @param totalSteps optimizer steps of the whole run
 * @param peakLr optim.lr scaled from optim.base_batch to B
 */
public record TrainingPlan(
    JobConfig job,
    int trainSize,
    long globalBatch,
    long stepsPerEpoch,
    long totalSteps,
    double peakLr) {

  /** Derives the plan and checks what depends on the data size (batch vs. training set, warmup). */
  public static TrainingPlan of(JobConfig job, int trainSize) {
    BatchPlan batches =
        new BatchPlan(
            trainSize,
            job.train().worldSize(),
            job.train().microBatch(),
            job.train().accumulation(),
            job.data().shuffle(),
            job.train().seed());
    long stepsPerEpoch = batches.stepsPerEpoch();
    long total =
        job.train().steps() > 0 ? job.train().steps() : stepsPerEpoch * job.train().epochs();
    LrScaling.checkWarmup(job.optim(), job.schedule(), batches.globalBatch());
    double peak = LrScaling.scaledPeak(job.optim(), batches.globalBatch());
    return new TrainingPlan(job, trainSize, batches.globalBatch(), stepsPerEpoch, total, peak);
  }

  public LrSchedule schedule() {
    return LrSchedules.create(job.schedule(), peakLr, totalSteps, stepsPerEpoch);
  }

  /** Warmup steps W, derived from schedule.warmup_epochs when the warmup is given in epochs. */
  public long warmupSteps() {
    return job.schedule().warmupSteps(stepsPerEpoch);
  }

  /** Epochs the run covers, fractional when train.steps is set. */
  public double epochs() {
    return (double) totalSteps / stepsPerEpoch;
  }
}
