package ringtrain.worker.model;

import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import ringtrain.common.config.ModelConfig;
import ringtrain.common.error.ConfigException;
import ringtrain.worker.optim.ParamLayout;

/**
 * Builds the DL4J network for a {@link ModelConfig}. DL4J's own updater is disabled ({@link NoOp})
 * and no regularization is configured: ringtrain applies clipping, weight decay and the optimizer
 * to the flat parameter vector itself, identically on every rank.
 */
public final class NetworkFactory {

  private NetworkFactory() {}

  /**
   * Builds and initializes the network.
   *
   * @param shape input shape: {@code {d}} for flat features, {@code {c,h,w}} for images
   * @param numClasses width of the softmax output
   * @param seed seed of the initial parameters
   */
  public static MultiLayerNetwork build(ModelConfig model, int[] shape, int numClasses, long seed) {
    MultiLayerNetwork net = new MultiLayerNetwork(configuration(model, shape, numClasses, seed));
    net.init();
    return net;
  }

  /** The DL4J configuration, also used to rebuild a network around trained parameters. */
  public static MultiLayerConfiguration configuration(
      ModelConfig model, int[] shape, int numClasses, long seed) {
    Activation activation = activation(model.activation());
    WeightInit init =
        model.activation() == ModelConfig.Activation.RELU
                || model.activation() == ModelConfig.Activation.LEAKYRELU
            ? WeightInit.RELU
            : WeightInit.XAVIER;
    // DL4J's dropOut(x) takes the probability of *retaining* an activation.
    double retain = 1.0 - model.dropout();
    NeuralNetConfiguration.ListBuilder list =
        new NeuralNetConfiguration.Builder()
            .seed(seed)
            .dataType(DataType.FLOAT)
            .weightInit(init)
            .updater(new NoOp())
            .trainingWorkspaceMode(WorkspaceMode.ENABLED)
            .inferenceWorkspaceMode(WorkspaceMode.ENABLED)
            .list();

    int layer = 0;
    InputType input;
    if (model.type() == ModelConfig.Type.CNN) {
      if (shape.length != 3) {
        throw new ConfigException(
            "model.type = cnn needs image input but the data is a flat vector of "
                + shape[0]
                + " features; set data.shape = [channels, height, width] or use model.type = mlp");
      }
      input = InputType.convolutional(shape[1], shape[2], shape[0]);
      int h = shape[1];
      int w = shape[2];
      for (int channels : model.cnnChannels()) {
        if (h < 2 || w < 2) {
          throw new ConfigException(
              "model.cnn.channels = "
                  + model.cnnChannels()
                  + " has more pooling blocks than a "
                  + shape[1]
                  + "x"
                  + shape[2]
                  + " image allows; use fewer channel entries");
        }
        list.layer(
            layer++,
            new ConvolutionLayer.Builder(model.cnnKernel(), model.cnnKernel())
                .nOut(channels)
                .stride(1, 1)
                .convolutionMode(ConvolutionMode.Same)
                .activation(activation)
                .build());
        list.layer(
            layer++,
            new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX)
                .kernelSize(2, 2)
                .stride(2, 2)
                .build());
        h /= 2;
        w /= 2;
      }
    } else {
      input = InputType.feedForward(flatSize(shape));
    }

    boolean first = model.type() != ModelConfig.Type.CNN;
    for (int width : model.hiddenWidths()) {
      DenseLayer.Builder dense = new DenseLayer.Builder().nOut(width).activation(activation);
      if (!first && model.dropout() > 0) {
        dense.dropOut(retain);
      }
      list.layer(layer++, dense.build());
      first = false;
    }
    OutputLayer.Builder output =
        new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
            .nOut(numClasses)
            .activation(Activation.SOFTMAX);
    if (!first && model.dropout() > 0) {
      output.dropOut(retain);
    }
    list.layer(layer, output.build());
    return list.setInputType(input).build();
  }

  /**
   * The flat parameter layout of {@code net}, with each tensor's role as its layer declares it
   * ({@link ParamRoles}).
   */
  public static ParamLayout layout(MultiLayerNetwork net) {
    return new MultiLayerModel(net).layout();
  }

  private static int flatSize(int[] shape) {
    int size = 1;
    for (int s : shape) {
      size *= s;
    }
    return size;
  }

  private static Activation activation(ModelConfig.Activation a) {
    return switch (a) {
      case RELU -> Activation.RELU;
      case TANH -> Activation.TANH;
      case SIGMOID -> Activation.SIGMOID;
      case GELU -> Activation.GELU;
      case LEAKYRELU -> Activation.LEAKYRELU;
      case ELU -> Activation.ELU;
      case SWISH -> Activation.SWISH;
    };
  }
}
