package ringtrain.driver.api;

/**
 * The trained network (the caller's own object, its parameters overwritten with the trained ones)
 * and the report of the run.
 */
public record FitResult<M>(M network, FitReport report) {}
