package ringtrain.worker.loop;

import org.nd4j.linalg.api.ndarray.INDArray;
import ringtrain.common.metrics.EvalMetrics;

/**
 * What one rank's training produced.
 *
 * @param params final flat FP32 parameters (a copy)
 * @param steps optimizer steps done in total
 * @param trainLoss mean training loss over the last (partial) epoch of this run
 * @param eval final test-set evaluation
 * @param wallS wall time of this run in seconds
 * @param examplesPerS training examples per second over this run (all ranks)
 */
public record TrainingResult(
    INDArray params,
    long steps,
    double trainLoss,
    EvalMetrics eval,
    double wallS,
    double examplesPerS) {}
