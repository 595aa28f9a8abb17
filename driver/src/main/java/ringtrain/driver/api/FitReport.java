package ringtrain.driver.api;

import java.nio.file.Path;

/**
 * What {@link Trainer#fit} did.
 *
 * @param testAccuracy final test-set accuracy
 * @param testLoss final test-set cross-entropy
 * @param steps optimizer steps trained
 * @param wallS wall time of the run in seconds
 * @param runDirectory the run's outputs: model.zip, metrics.jsonl, summary.json, plots, snapshots
 */
public record FitReport(
    double testAccuracy, double testLoss, long steps, double wallS, Path runDirectory) {}
