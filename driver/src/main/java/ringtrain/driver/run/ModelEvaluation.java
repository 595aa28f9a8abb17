package ringtrain.driver.run;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import ringtrain.common.config.JobConfig;
import ringtrain.common.config.ModelConfig;
import ringtrain.common.error.UserException;
import ringtrain.common.metrics.EvalMetrics;
import ringtrain.driver.config.ConfigLoader;
import ringtrain.worker.data.Dataset;
import ringtrain.worker.data.DatasetLoader;
import ringtrain.worker.loop.TestSetScorer;

/** {@code ringtrain eval}: a saved model.zip scored on the test set a config names. */
public final class ModelEvaluation {
  private ModelEvaluation() {}

  public static EvalMetrics evaluate(Path model, Path jobFile, List<String> overrides) {
    JobConfig job = JobConfig.from(ConfigLoader.load(jobFile, overrides));
    if (!Files.isRegularFile(model)) {
      throw new UserException(
          "--model " + model + " does not exist; pass the model.zip of a finished run");
    }
    MultiLayerNetwork net;
    try {
      net = ModelSerializer.restoreMultiLayerNetwork(model.toFile(), false);
    } catch (IOException | RuntimeException e) {
      throw new UserException(
          "--model "
              + model
              + " is not a DL4J model zip ("
              + e.getMessage()
              + "); pass the model.zip written by 'ringtrain train'");
    }
    Dataset test = DatasetLoader.load(job.data(), job.train().seed()).test();
    long outputs = net.getLayer(net.getnLayers() - 1).getParam("W").size(1);
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
    boolean images = test.shape().length == 3 && job.model().type() == ModelConfig.Type.CNN;
    checkInput(net, test, images, model);
    float[] totals = TestSetScorer.score(net, test, images, 0, test.size());
    return new EvalMetrics(0, 0, totals[1] / totals[2], totals[0] / totals[2]);
  }

  /**
   * The model's first layer against the data the config describes: a dense model needs flat input
   * of its width, a convolutional one images of its channel count. Checked before scoring, where
   * DL4J would fail with a shape exception.
   */
  static void checkInput(MultiLayerNetwork net, Dataset test, boolean images, Path model) {
    Layer first = net.getLayerWiseConfigurations().getConf(0).getLayer();
    boolean convolutional = first instanceof ConvolutionLayer;
    String fix = "; pass the --conf (and --set) the model was trained with";
    if (convolutional != images) {
      throw new UserException(
          "--model "
              + model
              + " is a "
              + (convolutional ? "convolutional" : "dense")
              + " network but the config gives it "
              + (images ? "images (model.type = cnn)" : "flat vectors")
              + fix);
    }
    if (first instanceof FeedForwardLayer layer) {
      long expected = layer.getNIn();
      long found = convolutional ? test.shape()[0] : test.featureCount();
      if (expected != found) {
        throw new UserException(
            "--model "
                + model
                + " expects "
                + expected
                + (convolutional ? " channels" : " features")
                + " per example but the data has "
                + found
                + fix);
      }
    }
  }
}
