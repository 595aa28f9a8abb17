package ringtrain.worker.model;

import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.conf.preprocessor.CnnToRnnPreProcessor;

/**
 * Whether a network's first layer reads images {@code [n, c, h, w]}: a convolution-family layer, or
 * a preprocessor that turns images into something else. Flat rows go everywhere else.
 */
final class InputKinds {
  private InputKinds() {}

  static boolean takesImages(InputPreProcessor pre) {
    return pre instanceof CnnToFeedForwardPreProcessor || pre instanceof CnnToRnnPreProcessor;
  }

  static boolean takesImages(Layer layer) {
    return layer instanceof ConvolutionLayer
        || layer instanceof SubsamplingLayer
        || layer instanceof ZeroPaddingLayer;
  }
}
