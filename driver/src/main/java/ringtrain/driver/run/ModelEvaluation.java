package ringtrain.driver.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import ringtrain.common.config.JobConfig;
import ringtrain.common.error.UserException;
import ringtrain.common.metrics.EvalMetrics;
import ringtrain.driver.config.ConfigLoader;
import ringtrain.worker.data.Dataset;
import ringtrain.worker.data.DatasetLoader;
import ringtrain.worker.loop.TestSetScorer;
import ringtrain.worker.model.NetworkSource;
import ringtrain.worker.model.TrainableModel;

/**
 * {@code ringtrain eval}: a saved model.zip (MultiLayerNetwork or ComputationGraph; the zip holds
 * its own network configuration, so no model settings are needed) scored on the test set a config
 * names.
 */
public final class ModelEvaluation {
  private ModelEvaluation() {}

  public static EvalMetrics evaluate(Path model, Path jobFile, List<String> overrides) {
    JobConfig job = JobConfig.from(ConfigLoader.load(jobFile, overrides));
    if (!Files.isRegularFile(model)) {
      throw new UserException(
          "--model " + model + " does not exist; pass the model.zip of a finished run");
    }
    TrainableModel net;
    try {
      net = NetworkSource.restore(model);
    } catch (IOException | RuntimeException e) {
      throw new UserException(
          "--model "
              + model
              + " is not a DL4J model zip ("
              + e.getMessage()
              + "); pass the model.zip written by 'ringtrain train'");
    }
    Dataset test = DatasetLoader.load(job.data(), job.train().seed()).test();
    boolean images = test.shape().length == 3 && net.imageInput();
    long outputs;
    try {
      outputs =
          net.output(
                  ringtrain.worker.data.MiniBatches.of(test, new int[] {0}, images).getFeatures())
              .size(1);
    } catch (RuntimeException e) {
      throw new UserException(
          "--model "
              + model
              + " does not accept the test data's examples ("
              + (images
                  ? "images of shape " + java.util.Arrays.toString(test.shape())
                  : test.featureCount() + " features each")
              + "); pass the --conf (and --set) the model was trained with");
    }
    if (outputs != test.numClasses()) {
      throw new UserException(
          "--model "
              + model
              + " predicts "
              + outputs
              + " classes but the data has "
              + test.numClasses()
              + "; pass the config the model was trained with");
    }
    float[] totals = TestSetScorer.score(net, test, images, 0, test.size());
    return new EvalMetrics(0, 0, totals[1] / totals[2], totals[0] / totals[2]);
  }
}
