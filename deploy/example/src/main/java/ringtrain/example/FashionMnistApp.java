package ringtrain.example;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import ringtrain.driver.api.EvalReport;
import ringtrain.driver.api.FitResult;
import ringtrain.driver.api.Trainer;

/**
 * A Spark application of its own that trains a DL4J network with ringtrain, as a DL4J Spark user
 * would write it: Fashion-MNIST read into a {@code JavaRDD<DataSet>}, a {@code MultiLayerNetwork},
 * {@link Trainer#fit} on the cluster, {@link Trainer#evaluate}, the accuracy printed.
 *
 * <pre>
 * deploy/bin/ringtrain-submit --class ringtrain.example.FashionMnistApp \
 *     deploy/example/target/ringtrain-example.jar DATA_DIR OUT_DIR [--train N] [--test N] [key=value]...
 * </pre>
 *
 * DATA_DIR holds the four Fashion-MNIST IDX files (gzipped or not); {@code --train} and {@code
 * --test} keep the first N examples; {@code key=value} are ringtrain settings (e.g. {@code
 * train.epochs=1}).
 */
public final class FashionMnistApp {
  private static final int PIXELS = 28 * 28;
  private static final int CLASSES = 10;
  private static final int EXAMPLES_PER_DATASET = 500;

  private FashionMnistApp() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 2) {
      System.err.println(
          "usage: FashionMnistApp DATA_DIR OUT_DIR [--train N] [--test N] [key=value]...");
      System.exit(2);
    }
    Path data = Path.of(args[0]);
    Path out = Path.of(args[1]);
    int trainLimit = 60_000;
    int testLimit = 10_000;
    List<String> settings = new ArrayList<>();
    for (int i = 2; i < args.length; i++) {
      switch (args[i]) {
        case "--train" -> trainLimit = Integer.parseInt(args[++i]);
        case "--test" -> testLimit = Integer.parseInt(args[++i]);
        default -> settings.add(args[i]);
      }
    }

    // The application's own context; configure() adds the Kryo registrations ringtrain needs.
    SparkConf conf = Trainer.configure(new SparkConf().setAppName("Fashion-MNIST with ringtrain"));
    try (JavaSparkContext sc = new JavaSparkContext(conf)) {
      JavaRDD<DataSet> train = sc.parallelize(read(data, "train", trainLimit));
      JavaRDD<DataSet> test = sc.parallelize(read(data, "t10k", testLimit));

      MultiLayerNetwork net = network();
      Trainer trainer =
          Trainer.builder(sc)
              .set("train.world_size", 2)
              .set("train.micro_batch", 64)
              .set("train.epochs", 2)
              .set("optim.lr", 0.002)
              .set("schedule.warmup_steps", 10)
              .set(settings)
              .out(out)
              .build();
      FitResult<MultiLayerNetwork> fit = trainer.fit(net, train, test);
      EvalReport eval = trainer.evaluate(net, test);
      System.out.printf(
          Locale.ROOT,
          "Fashion-MNIST test accuracy %.4f (loss %.4f, %d of %d correct) after %d steps in %.1f"
              + " s; fit reported %.4f; outputs in %s%n",
          eval.accuracy(),
          eval.loss(),
          eval.correct(),
          eval.examples(),
          fit.report().steps(),
          fit.report().wallS(),
          fit.report().testAccuracy(),
          fit.report().runDirectory());
    }
  }

  /** A two-layer perceptron, 784 → 256 → 10, softmax and cross-entropy. */
  static MultiLayerNetwork network() {
    MultiLayerNetwork net =
        new MultiLayerNetwork(
            new NeuralNetConfiguration.Builder()
                .seed(42)
                .list()
                .layer(new DenseLayer.Builder().nOut(256).activation(Activation.RELU).build())
                .layer(
                    new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .nOut(CLASSES)
                        .activation(Activation.SOFTMAX)
                        .build())
                .setInputType(InputType.feedForward(PIXELS))
                .build());
    net.init();
    return net;
  }

  /**
   * The first {@code limit} examples of an IDX image/label pair as DataSets: features {@code [n,
   * 784]} scaled to [0, 1], labels one-hot.
   */
  static List<DataSet> read(Path dir, String prefix, int limit) throws IOException {
    float[] pixels;
    byte[] labels;
    try (DataInputStream images = open(dir, prefix + "-images-idx3-ubyte");
        DataInputStream classes = open(dir, prefix + "-labels-idx1-ubyte")) {
      images.readInt();
      int n = Math.min(limit, images.readInt());
      int rows = images.readInt();
      int cols = images.readInt();
      if (rows * cols != PIXELS) {
        throw new IOException(prefix + " images are " + rows + "x" + cols + ", not 28x28");
      }
      byte[] raw = new byte[n * PIXELS];
      images.readFully(raw);
      pixels = new float[raw.length];
      for (int i = 0; i < raw.length; i++) {
        pixels[i] = (raw[i] & 0xff) / 255f;
      }
      classes.readInt();
      classes.readInt();
      labels = new byte[n];
      classes.readFully(labels);
    }
    List<DataSet> sets = new ArrayList<>();
    for (int lo = 0; lo < labels.length; lo += EXAMPLES_PER_DATASET) {
      int n = Math.min(EXAMPLES_PER_DATASET, labels.length - lo);
      float[] x = new float[n * PIXELS];
      System.arraycopy(pixels, lo * PIXELS, x, 0, x.length);
      float[] y = new float[n * CLASSES];
      for (int i = 0; i < n; i++) {
        y[i * CLASSES + labels[lo + i]] = 1f;
      }
      sets.add(
          new DataSet(
              Nd4j.create(x, new long[] {n, PIXELS}, 'c'),
              Nd4j.create(y, new long[] {n, CLASSES}, 'c')));
    }
    return sets;
  }

  private static DataInputStream open(Path dir, String name) throws IOException {
    Path plain = dir.resolve(name);
    Path gz = dir.resolve(name + ".gz");
    InputStream in =
        Files.exists(plain)
            ? Files.newInputStream(plain)
            : new GZIPInputStream(Files.newInputStream(gz), 1 << 16);
    return new DataInputStream(new java.io.BufferedInputStream(in, 1 << 16));
  }
}
