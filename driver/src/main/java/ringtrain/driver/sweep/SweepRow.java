package ringtrain.driver.sweep;

import java.nio.file.Path;
import java.util.List;
import ringtrain.common.metrics.EvalMetrics;
import ringtrain.common.metrics.StepMetrics;
import ringtrain.driver.metrics.MetricsJsonl;
import ringtrain.driver.metrics.MetricsLog;
import ringtrain.driver.metrics.Summary;

/**
 * One finished point of a sweep, as sweep.csv and sweep.jsonl list it.
 *
 * <p>To the target: the first evaluation (the end of an epoch, or the final one) whose test
 * accuracy reaches it; steps and examples are those done by then, time is the training time of
 * those steps (the sum of step_ms over the logged intervals, evaluations left out). NaN (empty in
 * the CSV, null in the JSONL) where the point never reached the target or no target was given.
 *
 * @param point the settings
 * @param runDirectory where the point's run lives
 * @param summary the run's summary.json
 * @param stepsToTarget optimizer steps until the test accuracy first reached the target
 * @param examplesToTarget training examples until then (steps · B)
 * @param timeToTargetS training seconds until then
 */
public record SweepRow(
    SweepPoint point,
    Path runDirectory,
    Summary summary,
    double stepsToTarget,
    double examplesToTarget,
    double timeToTargetS) {

  /** Reads a finished point's run directory. {@code target}: NaN for none. */
  public static SweepRow read(SweepPoint point, Path runDirectory, double target) {
    Summary summary = Summary.read(runDirectory.resolve("summary.json"));
    MetricsLog log = MetricsJsonl.read(runDirectory.resolve("metrics.jsonl"));
    double steps = Double.NaN;
    double seconds = Double.NaN;
    if (Double.isFinite(target)) {
      for (EvalMetrics eval : log.evals()) {
        if (eval.testAccuracy() >= target) {
          steps = eval.step() + 1;
          seconds = trainingSeconds(log.steps(), eval.step());
          break;
        }
      }
    }
    return new SweepRow(
        point, runDirectory, summary, steps, steps * summary.globalBatch(), seconds);
  }

  /** Σ step_ms × steps over the logged intervals that end at or before {@code lastStep}. */
  static double trainingSeconds(List<StepMetrics> steps, long lastStep) {
    double ms = 0;
    long previous = -1;
    for (StepMetrics m : steps) {
      if (m.step() > lastStep) {
        break;
      }
      ms += m.stepMs() * (m.step() - previous);
      previous = m.step();
    }
    return ms / 1000;
  }
}
