package ringtrain.common.metrics;

/**
 * Receives training metrics as they happen (progress bar, metrics.jsonl, ...). Called from one
 * thread; {@link #close()} flushes and releases what the sink holds and does not throw checked
 * exceptions, so sinks compose.
 */
public interface MetricsSink extends AutoCloseable {
  /** A sink that drops everything (ranks other than 0, benchmarks). */
  MetricsSink NONE =
      new MetricsSink() {
        @Override
        public void onStep(StepMetrics m) {}

        @Override
        public void onEval(EvalMetrics m) {}

        @Override
        public void close() {}
      };

  /**
   * Training starts, or starts again, at step {@code firstStep}: 0, or the step of the snapshot it
   * resumes from. A sink that already holds metrics of that step or later ones (logged by an
   * attempt that died after its last snapshot) drops them, so every step is reported once.
   */
  default void onStart(long firstStep) {}

  void onStep(StepMetrics m);

  void onEval(EvalMetrics m);

  @Override
  void close();
}
