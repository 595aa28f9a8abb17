package ringtrain.common.metrics;

/**
 * Test-set evaluation after {@code step}.
 *
 * @param step 0-based optimizer step after which the model was evaluated
 * @param epoch epoch of that step
 * @param testLoss mean loss over the test set
 * @param testAccuracy fraction of test examples classified correctly, in [0, 1]
 */
public record EvalMetrics(long step, long epoch, double testLoss, double testAccuracy) {}
