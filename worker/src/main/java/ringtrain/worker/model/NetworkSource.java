package ringtrain.worker.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.util.ModelSerializer;
import org.deeplearning4j.zoo.InstantiableModel;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import ringtrain.common.config.ModelConfig;
import ringtrain.common.error.ConfigException;

/**
 * Where a {@code model.type = dl4j} network comes from: a configuration JSON file, a {@code
 * ModelSerializer} zip (its parameters are the start point) or a {@code deeplearning4j-zoo}
 * architecture. Every source ends as one configuration JSON with the seed set to {@code train.seed}
 * and FP32 parameters; that JSON is what ships to the ranks, enters the config hash and is kept in
 * snapshots.
 */
public final class NetworkSource {
  /** Name of the network configuration inside a ModelSerializer zip. */
  private static final String ZIP_CONFIGURATION = "configuration.json";

  private static final String ZOO_PACKAGE = "org.deeplearning4j.zoo.model.";

  /** Zoo architectures that build for an arbitrary image shape and class count. */
  public static final List<String> ZOO =
      List.of(
          "LeNet",
          "SimpleCNN",
          "AlexNet",
          "VGG16",
          "VGG19",
          "ResNet50",
          "SqueezeNet",
          "Darknet19",
          "Xception",
          "InceptionResNetV1",
          "NASNet",
          "FaceNetNN4Small2");

  private NetworkSource() {}

  /**
   * The network's configuration JSON: {@code model.network} when already resolved, else built from
   * {@code model.file} or {@code model.zoo}.
   *
   * @param shape the data's example shape ({@code {c,h,w}} for images)
   */
  public static String json(ModelConfig model, int[] shape, int numClasses, long seed) {
    if (!model.network().isEmpty()) {
      return model.network();
    }
    String raw =
        model.zoo().isEmpty()
            ? fileJson(Path.of(model.file()))
            : zooJson(model.zoo(), shape, numClasses, seed);
    return normalize(raw, seed, "model." + (model.zoo().isEmpty() ? "file" : "zoo"));
  }

  /** An initialized network for {@code json}: a MultiLayerNetwork or a ComputationGraph. */
  public static TrainableModel build(String json) {
    Model network;
    if (isGraph(json)) {
      ComputationGraph graph = new ComputationGraph(ComputationGraphConfiguration.fromJson(json));
      graph.init();
      network = graph;
    } else {
      MultiLayerNetwork net = new MultiLayerNetwork(MultiLayerConfiguration.fromJson(json));
      net.init();
      network = net;
    }
    try {
      return TrainableModel.of(network);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
  }

  /** The parameters a fresh run starts from: those of a model zip in {@code model.file}. */
  public static Optional<INDArray> startParams(ModelConfig model) {
    if (model.type() != ModelConfig.Type.DL4J || !isZip(Path.of(model.file()))) {
      return Optional.empty();
    }
    Path file = Path.of(model.file());
    try {
      Model network =
          isGraph(zipConfiguration(file))
              ? ModelSerializer.restoreComputationGraph(file.toFile(), false)
              : ModelSerializer.restoreMultiLayerNetwork(file.toFile(), false);
      return Optional.of(network.params().castTo(DataType.FLOAT));
    } catch (IOException | RuntimeException e) {
      throw new ConfigException(
          "model.file = " + file + " cannot be read as a DL4J model zip (" + e.getMessage() + ")");
    }
  }

  /** Reads a model zip (a MultiLayerNetwork or ComputationGraph) with its parameters. */
  public static TrainableModel restore(Path zip) throws IOException {
    Model network =
        isGraph(zipConfiguration(zip))
            ? ModelSerializer.restoreComputationGraph(zip.toFile(), false)
            : ModelSerializer.restoreMultiLayerNetwork(zip.toFile(), false);
    return TrainableModel.of(network);
  }

  private static String fileJson(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new ConfigException(
          "model.file = "
              + file
              + " does not exist; give a DL4J configuration JSON or a ModelSerializer zip");
    }
    try {
      return isZip(file) ? zipConfiguration(file) : Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException(
          "model.file = " + file + " cannot be read (" + e.getMessage() + ")");
    }
  }

  private static String zooJson(String name, int[] shape, int numClasses, long seed) {
    String known =
        ZOO.stream()
            .filter(z -> z.equalsIgnoreCase(name))
            .findFirst()
            .orElseThrow(
                () ->
                    new ConfigException(
                        "model.zoo = " + name + " is not a zoo architecture; use one of " + ZOO));
    if (shape.length != 3) {
      throw new ConfigException(
          "model.zoo = "
              + known
              + " needs image data but the data is a flat vector of "
              + shape[0]
              + " features; set data.shape = [channels, height, width]");
    }
    try {
      Object builder = Class.forName(ZOO_PACKAGE + known).getMethod("builder").invoke(null);
      Class<?> b = builder.getClass();
      b.getMethod("numClasses", int.class).invoke(builder, numClasses);
      b.getMethod("inputShape", int[].class).invoke(builder, (Object) shape.clone());
      b.getMethod("seed", long.class).invoke(builder, seed);
      InstantiableModel zoo = (InstantiableModel) b.getMethod("build").invoke(builder);
      return TrainableModel.of(zoo.init()).configJson();
    } catch (ReflectiveOperationException | RuntimeException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new ConfigException(
          "model.zoo = "
              + known
              + " cannot be built for "
              + java.util.Arrays.toString(shape)
              + " images and "
              + numClasses
              + " classes ("
              + cause.getMessage()
              + "); pick an architecture that fits the image size, e.g. LeNet or SimpleCNN");
    }
  }

  /** Sets every seed to {@code seed} and the data type to FP32; checks the JSON parses. */
  static String normalize(String json, long seed, String key) {
    try {
      if (isGraph(json)) {
        ComputationGraphConfiguration conf = ComputationGraphConfiguration.fromJson(json);
        conf.setDataType(DataType.FLOAT);
        conf.getDefaultConfiguration().setSeed(seed);
        for (GraphVertex vertex : conf.getVertices().values()) {
          if (vertex instanceof LayerVertex layer) {
            layer.getLayerConf().setSeed(seed);
            layer.getLayerConf().setDataType(DataType.FLOAT);
          }
        }
        return conf.toJson();
      }
      MultiLayerConfiguration conf = MultiLayerConfiguration.fromJson(json);
      conf.setDataType(DataType.FLOAT);
      for (NeuralNetConfiguration layer : conf.getConfs()) {
        layer.setSeed(seed);
        layer.setDataType(DataType.FLOAT);
      }
      return conf.toJson();
    } catch (RuntimeException e) {
      throw new ConfigException(
          key
              + " is not a DL4J MultiLayerConfiguration or ComputationGraphConfiguration JSON ("
              + firstLine(e.getMessage())
              + ")");
    }
  }

  /** Whether {@code json} is a ComputationGraphConfiguration (it has vertices, not confs). */
  public static boolean isGraph(String json) {
    try {
      JsonNode root = new ObjectMapper().readTree(json);
      return root.has("vertices");
    } catch (IOException e) {
      throw new ConfigException(
          "the network configuration is not JSON (" + firstLine(e.getMessage()) + ")");
    }
  }

  private static boolean isZip(Path file) {
    return file.getFileName() != null
        && file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".zip");
  }

  private static String zipConfiguration(Path zip) throws IOException {
    try (ZipFile z = new ZipFile(zip.toFile())) {
      ZipEntry entry = z.getEntry(ZIP_CONFIGURATION);
      if (entry == null) {
        throw new IOException(
            zip + " has no " + ZIP_CONFIGURATION + "; it is not a DL4J model zip");
      }
      try (InputStream in = z.getInputStream(entry)) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
    }
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "no detail";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
