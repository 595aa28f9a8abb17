package ringtrain.common.config.key;

import java.util.List;
import ringtrain.common.config.ModelConfig.Activation;
import ringtrain.common.config.ModelConfig.Type;

/** The {@code model.*} keys: which network to build. */
public final class ModelKeys {
  private ModelKeys() {}

  /** Every layer width of a list is at least 1. */
  private static final Check<List<Integer>> POSITIVE_WIDTHS =
      widths -> {
        for (int w : widths) {
          if (w < 1) {
            return "holds " + w + "; every width must be >= 1";
          }
        }
        return null;
      };

  public static final ConfigKey<Type> TYPE =
      ConfigKey.of(
          "model.type",
          ValueType.enumOf(Type.class),
          Type.MLP,
          "mlp, cnn, deep_mlp, or dl4j (any DL4J network, from model.file or model.zoo).");

  public static final ConfigKey<String> FILE =
      ConfigKey.of(
          "model.file",
          ValueType.STRING,
          "",
          "dl4j: a network configuration JSON or a ModelSerializer model zip.");

  public static final ConfigKey<String> ZOO =
      ConfigKey.of(
          "model.zoo",
          ValueType.STRING,
          "",
          "dl4j: a deeplearning4j-zoo architecture, e.g. LeNet or ResNet50.");

  public static final ConfigKey<String> NETWORK =
      ConfigKey.of(
          "model.network",
          ValueType.STRING,
          "",
          "Set by ringtrain: the network JSON resolved from model.file or model.zoo.");

  public static final ConfigKey<List<Integer>> HIDDEN =
      ConfigKey.of(
          "model.hidden",
          ValueType.INT_LIST,
          List.of(256, 128),
          "Widths of the hidden dense layers (after the convolutions for cnn).",
          POSITIVE_WIDTHS);

  public static final ConfigKey<Activation> ACTIVATION =
      ConfigKey.of(
          "model.activation",
          ValueType.enumOf(Activation.class),
          Activation.RELU,
          "Activation of every hidden layer.");

  public static final ConfigKey<Double> DROPOUT =
      ConfigKey.of(
          "model.dropout",
          ValueType.NUMBER,
          0.0,
          "Dropout probability on the inputs of every hidden dense layer; 0 = off.",
          Check.that(p -> p >= 0 && p < 1, "is out of range; it must be >= 0.0 and < 1.0"));

  public static final ConfigKey<Integer> DEPTH =
      ConfigKey.of(
          "model.depth",
          ValueType.INT,
          32,
          "deep_mlp: number of hidden dense layers.",
          Check.atLeast(1));

  public static final ConfigKey<Integer> WIDTH =
      ConfigKey.of(
          "model.width",
          ValueType.INT,
          1024,
          "deep_mlp: units of every hidden layer.",
          Check.atLeast(1));

  public static final ConfigKey<List<Integer>> CNN_CHANNELS =
      ConfigKey.of(
          "model.cnn.channels",
          ValueType.INT_LIST,
          List.of(32, 64),
          "cnn: output channels of each 3x3 convolution block.",
          POSITIVE_WIDTHS);

  public static final ConfigKey<Integer> CNN_KERNEL =
      ConfigKey.of(
          "model.cnn.kernel", ValueType.INT, 3, "cnn: convolution kernel size.", Check.atLeast(1));

  /** Every {@code model.*} key. */
  public static final List<ConfigKey<?>> ALL =
      List.of(
          TYPE,
          FILE,
          ZOO,
          NETWORK,
          HIDDEN,
          ACTIVATION,
          DROPOUT,
          DEPTH,
          WIDTH,
          CNN_CHANNELS,
          CNN_KERNEL);
}
