package ringtrain.driver.api;

/**
 * What {@link Trainer#evaluate} measured on a test set.
 *
 * @param accuracy {@code correct / examples}
 * @param loss mean cross-entropy of the true class
 * @param correct examples whose most probable class is the label
 * @param examples examples scored
 */
public record EvalReport(double accuracy, double loss, long correct, long examples) {}
