package ringtrain.driver.metrics;

import java.util.List;
import java.util.Optional;
import ringtrain.common.metrics.EvalMetrics;
import ringtrain.common.metrics.StepMetrics;

/** The records of one metrics.jsonl, in file order. */
public record MetricsLog(List<StepMetrics> steps, List<EvalMetrics> evals) {
  public MetricsLog {
    steps = List.copyOf(steps);
    evals = List.copyOf(evals);
  }

  public Optional<StepMetrics> lastStep() {
    return steps.isEmpty() ? Optional.empty() : Optional.of(steps.get(steps.size() - 1));
  }

  public Optional<EvalMetrics> lastEval() {
    return evals.isEmpty() ? Optional.empty() : Optional.of(evals.get(evals.size() - 1));
  }
}
