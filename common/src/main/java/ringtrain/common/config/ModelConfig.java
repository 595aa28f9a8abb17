package ringtrain.common.config;

import java.util.List;
import ringtrain.common.config.key.ConfigKeys;
import ringtrain.common.config.key.ModelKeys;
import ringtrain.common.config.key.Setting;
import ringtrain.common.error.ConfigException;

/**
 * The {@code model.*} section: which network to build.
 *
 * @param type mlp, cnn, deep_mlp, or dl4j (a network given by file or zoo name)
 * @param hidden widths of the dense hidden layers (after the convolutions for cnn)
 * @param activation activation of every hidden layer
 * @param dropout probability of dropping an input of a hidden dense layer, in [0, 1)
 * @param cnnChannels output channels of each convolution block (cnn only)
 * @param cnnKernel convolution kernel size (cnn only)
 * @param depth number of hidden layers (deep_mlp only)
 * @param width units of every hidden layer (deep_mlp only)
 * @param file dl4j: a network configuration JSON or a ModelSerializer zip; empty for none
 * @param zoo dl4j: a deeplearning4j-zoo architecture name; empty for none
 * @param network dl4j: the network's configuration JSON as resolved by the driver from {@code file}
 *     or {@code zoo} (it ships to the ranks and enters the config hash); empty until resolved
 */
public record ModelConfig(
    Type type,
    List<Integer> hidden,
    Activation activation,
    double dropout,
    List<Integer> cnnChannels,
    int cnnKernel,
    int depth,
    int width,
    String file,
    String zoo,
    String network) {

  /** Network families. */
  public enum Type {
    MLP,
    CNN,
    /** {@code depth} equal dense layers: deep enough for recomputation and overlap to matter. */
    DEEP_MLP,
    /** Any DL4J network: {@code model.file} (JSON or zip) or {@code model.zoo}. */
    DL4J
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
    file = file == null ? "" : file;
    zoo = zoo == null ? "" : zoo;
    network = network == null ? "" : network;
    hidden = List.copyOf(hidden);
    cnnChannels = List.copyOf(cnnChannels);
  }

  /**
   * The model keys of {@code settings} over the defaults of every key, for programs and tests that
   * run without a job file, e.g. {@code ModelConfig.of(ModelKeys.HIDDEN.is(List.of(8)))}.
   */
  public static ModelConfig of(Setting... settings) {
    return from(new ConfigReader(ConfigKeys.defaultsWith(settings)));
  }

  /** The hidden-layer widths the network is built with. */
  public List<Integer> hiddenWidths() {
    return type == Type.DEEP_MLP ? java.util.Collections.nCopies(depth, width) : hidden;
  }

  public static ModelConfig from(ConfigReader r) {
    Type type = ModelKeys.TYPE.read(r);
    List<Integer> hidden = ModelKeys.HIDDEN.read(r);
    Activation activation = ModelKeys.ACTIVATION.read(r);
    double dropout = ModelKeys.DROPOUT.read(r);
    List<Integer> channels = ModelKeys.CNN_CHANNELS.read(r);
    if (type == Type.CNN && channels.isEmpty()) {
      throw new ConfigException(
          "model.cnn.channels is empty but model.type = cnn; give at least one channel count, e.g. [32, 64]");
    }
    int kernel = ModelKeys.CNN_KERNEL.read(r);
    int depth = ModelKeys.DEPTH.read(r);
    int width = ModelKeys.WIDTH.read(r);
    String file = ModelKeys.FILE.read(r);
    String zoo = ModelKeys.ZOO.read(r);
    String network = ModelKeys.NETWORK.read(r);
    if (type == Type.DL4J && file.isEmpty() == zoo.isEmpty() && network.isEmpty()) {
      throw new ConfigException(
          file.isEmpty()
              ? "model.type = dl4j needs a network: set model.file = a DL4J JSON or model zip, or"
                  + " model.zoo = an architecture name (e.g. LeNet)"
              : "model.file and model.zoo are both set; keep one of them");
    }
    if (type != Type.DL4J && !(file.isEmpty() && zoo.isEmpty())) {
      throw new ConfigException(
          (file.isEmpty() ? "model.zoo" : "model.file")
              + " is set but model.type = "
              + type.name().toLowerCase(java.util.Locale.ROOT)
              + "; set model.type = dl4j to train that network");
    }
    return new ModelConfig(
        type, hidden, activation, dropout, channels, kernel, depth, width, file, zoo, network);
  }
}
