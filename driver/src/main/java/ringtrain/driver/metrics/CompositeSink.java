package ringtrain.driver.metrics;

import java.util.List;
import ringtrain.common.metrics.EvalMetrics;
import ringtrain.common.metrics.MetricsSink;
import ringtrain.common.metrics.StepMetrics;

/** Fans every event out to several sinks, in order; closes all of them even if one fails. */
public final class CompositeSink implements MetricsSink {
  private final List<MetricsSink> sinks;

  public CompositeSink(List<? extends MetricsSink> sinks) {
    this.sinks = List.copyOf(sinks);
  }

  public static CompositeSink of(MetricsSink... sinks) {
    return new CompositeSink(List.of(sinks));
  }

  @Override
  public void onStart(long firstStep) {
    for (MetricsSink sink : sinks) {
      sink.onStart(firstStep);
    }
  }

  @Override
  public void onStep(StepMetrics m) {
    for (MetricsSink sink : sinks) {
      sink.onStep(m);
    }
  }

  @Override
  public void onEval(EvalMetrics m) {
    for (MetricsSink sink : sinks) {
      sink.onEval(m);
    }
  }

  @Override
  public void close() {
    RuntimeException first = null;
    for (MetricsSink sink : sinks) {
      try {
        sink.close();
      } catch (RuntimeException e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
