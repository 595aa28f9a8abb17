package ringtrain.common.config;

import java.util.List;
import ringtrain.common.error.ConfigException;

/**
 * The {@code model.*} section: which network to build.
 *
 * @param type mlp or cnn
 * @param hidden widths of the dense hidden layers (after the convolutions for cnn)
 * @param activation activation of every hidden layer
 * @param dropout probability of dropping an input of a hidden dense layer, in [0, 1)
 * @param cnnChannels output channels of each convolution block (cnn only)
 * @param cnnKernel convolution kernel size (cnn only)
 * @param depth number of hidden layers (deep_mlp only)
 * @param width units of every hidden layer (deep_mlp only)
 */
public record ModelConfig(
    Type type,
    List<Integer> hidden,
    Activation activation,
    double dropout,
    List<Integer> cnnChannels,
    int cnnKernel,
    int depth,
    int width) {

  /** Network families. */
  public enum Type {
    MLP,
    CNN,
    /** {@code depth} equal dense layers: deep enough for recomputation and overlap to matter. */
    DEEP_MLP
  }

  /** Hidden-layer activations. */
  public enum Activation {
    RELU,
    TANH,
    SIGMOID,
    GELU,
    LEAKYRELU,
    ELU,
    SWISH
  }

  public ModelConfig {
    hidden = List.copyOf(hidden);
    cnnChannels = List.copyOf(cnnChannels);
  }

  /** An mlp or cnn (no deep_mlp sizes). */
  public ModelConfig(
      Type type,
      List<Integer> hidden,
      Activation activation,
      double dropout,
      List<Integer> cnnChannels,
      int cnnKernel) {
    this(type, hidden, activation, dropout, cnnChannels, cnnKernel, 0, 0);
  }

  /** The hidden-layer widths the network is built with. */
  public List<Integer> hiddenWidths() {
    return type == Type.DEEP_MLP ? java.util.Collections.nCopies(depth, width) : hidden;
  }

  public static ModelConfig from(ConfigReader r) {
    Type type = r.enumValue("model.type", Type.class);
    List<Integer> hidden = r.integers("model.hidden");
    positiveWidths("model.hidden", hidden);
    Activation activation = r.enumValue("model.activation", Activation.class);
    double dropout = r.inRange("model.dropout", 0.0, 1.0);
    List<Integer> channels = r.integers("model.cnn.channels");
    positiveWidths("model.cnn.channels", channels);
    if (type == Type.CNN && channels.isEmpty()) {
      throw new ConfigException(
          "model.cnn.channels is empty but model.type = cnn; give at least one channel count, e.g. [32, 64]");
    }
    int kernel = r.atLeast("model.cnn.kernel", 1);
    int depth = r.atLeast("model.depth", 1);
    int width = r.atLeast("model.width", 1);
    return new ModelConfig(type, hidden, activation, dropout, channels, kernel, depth, width);
  }

  private static void positiveWidths(String key, List<Integer> widths) {
    for (int w : widths) {
      if (w < 1) {
        throw new ConfigException(
            key + " = " + widths + " holds " + w + "; every width must be >= 1");
      }
    }
  }
}
