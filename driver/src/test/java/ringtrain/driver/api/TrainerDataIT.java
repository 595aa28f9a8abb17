package ringtrain.driver.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static ringtrain.driver.run.BitwiseParams.assertBitwiseEqual;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator;
import org.deeplearning4j.eval.Evaluation;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import ringtrain.common.config.DataConfig;
import ringtrain.common.config.key.DataKeys;
import ringtrain.common.error.DataException;
import ringtrain.driver.launch.EmbeddedSparkHome;
import ringtrain.worker.data.Dataset;
import ringtrain.worker.data.DatasetLoader;
import ringtrain.worker.data.TrainTest;

/**
 * The Java API's data inputs on a real embedded Spark cluster ({@code local-cluster[2,1,1024]}),
 * through a SparkContext the application built itself: a {@code JavaRDD<DataSet>} and a {@code
 * Dataset<Row>} of Fashion-MNIST train two ranks (replicated placement) to exactly the parameters
 * of the IDX job with the same seed, and the distributed evaluation equals DL4J's own.
 */
class TrainerDataIT {
  private static final String FASHION = "/usr/share/datasets/fashion-mnist";
  private static final int TRAIN = 512;
  private static final int TEST = 128;
  private static final int PIXELS = 784;

  @TempDir static Path tmp;
  private static JavaSparkContext sc;
  private static TrainTest raw;

  @BeforeAll
  static void start() {
    EmbeddedSparkHome home = EmbeddedSparkHome.create();
    System.setProperty("spark.testing", "true");
    System.setProperty("spark.test.home", home.home().toString());
    SparkConf conf =
        Trainer.configure(
            new SparkConf()
                .setMaster("local-cluster[2,1,1024]")
                .setAppName("ringtrain api data test")
                .set("spark.ui.enabled", "false")
                .set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1")
                .set("spark.executorEnv.OMP_NUM_THREADS", "1")
                .set("spark.executor.extraJavaOptions", jvmFlags()));
    if (!home.classDirectories().isEmpty()) {
      conf.set("spark.executor.extraClassPath", home.classDirectories());
    }
    sc = new JavaSparkContext(conf);
    raw =
        DatasetLoader.load(
            DataConfig.of(
                DataKeys.DIR.is(FASHION),
                DataKeys.NORMALIZE.is(DataConfig.Normalize.NONE),
                DataKeys.LIMIT_TRAIN.is(TRAIN),
                DataKeys.LIMIT_TEST.is(TEST)),
            5);
  }

  @AfterAll
  static void stop() {
    if (sc != null) {
      sc.stop();
    }
  }

  /** What the executors need on Java 17: the flags this JVM runs with. */
  private static String jvmFlags() {
    return ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(a -> a.startsWith("--add-"))
        .collect(Collectors.joining(" "));
  }

  private static Trainer.Builder trainer(String name) {
    return Trainer.builder(sc)
        .set("train.world_size", 2)
        .set("train.micro_batch", 16)
        .set("train.steps", 12)
        .set("train.seed", 5)
        .set("schedule.warmup_steps", 2)
        .set("run.log_every", 4)
        .set("comm.timeout", "20s")
        .set("data.limit_train", TRAIN)
        .set("data.limit_test", TEST)
        // The exact global order of the IDX job: every rank reads every example (a Spark source
        // would otherwise be sharded, with each rank's own order).
        .set("data.placement", "replicate")
        .out(tmp.resolve(name));
  }

  private static MultiLayerNetwork network() {
    MultiLayerNetwork net =
        new MultiLayerNetwork(
            new NeuralNetConfiguration.Builder()
                .seed(11)
                .list()
                .layer(new DenseLayer.Builder().nOut(32).activation(Activation.RELU).build())
                .layer(
                    new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .nOut(10)
                        .activation(Activation.SOFTMAX)
                        .build())
                .setInputType(InputType.feedForward(PIXELS))
                .build());
    net.init();
    return net;
  }

  /**
   * DL4J Spark's input: DataSets of {@code chunk} examples (the last one shorter), features [n,
   * 784] scaled to [0, 1] as ringtrain's {@code data.normalize = scale} scales, labels one-hot.
   */
  private static List<DataSet> dataSets(Dataset ds, int chunk) {
    List<DataSet> out = new ArrayList<>();
    float[] x = ds.features();
    for (int lo = 0; lo < ds.size(); lo += chunk) {
      int n = Math.min(chunk, ds.size() - lo);
      float[] f = new float[n * PIXELS];
      float[] y = new float[n * 10];
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < PIXELS; j++) {
          f[i * PIXELS + j] = x[(lo + i) * PIXELS + j] / 255f;
        }
        y[i * 10 + ds.labels()[lo + i]] = 1f;
      }
      out.add(new DataSet(Nd4j.create(f, n, PIXELS), Nd4j.create(y, n, 10)));
    }
    return out;
  }

  /** Raw pixels as {@code features array<float>}, {@code label int}, in dataset order. */
  private static org.apache.spark.sql.Dataset<Row> frame(Dataset ds) {
    StructType schema =
        new StructType(
            new StructField[] {
              DataTypes.createStructField(
                  "pixels", DataTypes.createArrayType(DataTypes.FloatType, false), false),
              DataTypes.createStructField("class", DataTypes.IntegerType, false)
            });
    List<Row> rows = new ArrayList<>(ds.size());
    for (int i = 0; i < ds.size(); i++) {
      List<Float> features = new ArrayList<>(PIXELS);
      for (int j = 0; j < PIXELS; j++) {
        features.add(ds.features()[i * PIXELS + j]);
      }
      rows.add(RowFactory.create(features, ds.labels()[i]));
    }
    return SparkSession.builder().sparkContext(sc.sc()).getOrCreate().createDataFrame(rows, schema);
  }

  @Test
  @Timeout(value = 600, unit = TimeUnit.SECONDS)
  void shouldTrainAnRddAndADataFrameBitwiseLikeTheIdxJobAndEvaluateLikeDl4j() {
    MultiLayerNetwork fromIdx = network();
    trainer("idx")
        .set("data.format", "idx")
        .set("data.dir", "\"" + FASHION + "\"")
        .build()
        .fit(fromIdx);
    assertThat(fromIdx.params().sub(network().params()).amaxNumber().doubleValue())
        .as("training moved the parameters")
        .isGreaterThan(1e-3);

    List<DataSet> testSets = dataSets(raw.test(), 50);
    JavaRDD<DataSet> trainRdd = sc.parallelize(dataSets(raw.train(), 100), 3);
    JavaRDD<DataSet> testRdd = sc.parallelize(testSets, 2);
    MultiLayerNetwork fromRdd = network();
    FitResult<MultiLayerNetwork> rddFit = trainer("rdd").build().fit(fromRdd, trainRdd, testRdd);
    assertBitwiseEqual(fromRdd.params(), fromIdx.params());
    assertThat(rddFit.report().steps()).isEqualTo(12);

    Columns columns = Columns.of("pixels", "class").withShape(1, 28, 28);
    MultiLayerNetwork fromFrame = network();
    trainer("frame")
        .set("data.normalize", "scale")
        .build()
        .fit(fromFrame, frame(raw.train()), frame(raw.test()), columns);
    assertBitwiseEqual(fromFrame.params(), fromIdx.params());

    // DL4J's own single-process evaluation of the same parameters.
    Evaluation dl4j = fromIdx.evaluate(new ListDataSetIterator<>(testSets, 50));
    double dl4jLoss = fromIdx.score(DataSet.merge(testSets), false);
    EvalReport rdd = trainer("eval-rdd").build().evaluate(fromIdx, testRdd);
    EvalReport frame =
        trainer("eval-frame")
            .set("data.normalize", "scale")
            .build()
            .evaluate(fromIdx, frame(raw.test()), columns);
    System.out.printf(
        "evaluate: rdd %s, frame %s; DL4J accuracy %.6f loss %.6f%n",
        rdd, frame, dl4j.accuracy(), dl4jLoss);
    for (EvalReport r : List.of(rdd, frame)) {
      assertThat(r.examples()).isEqualTo(TEST);
      assertThat(r.accuracy()).isEqualTo(dl4j.accuracy());
      assertThat(r.correct()).isEqualTo(Math.round(dl4j.accuracy() * TEST));
      assertThat(r.loss()).isCloseTo(dl4jLoss, org.assertj.core.data.Offset.offset(1e-5));
    }
    assertThat(frame).isEqualTo(rdd);
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void shouldNameTheMissingColumnInOneLine() {
    org.apache.spark.sql.Dataset<Row> test = frame(raw.test());
    Throwable e =
        catchThrowable(
            () ->
                trainer("bad").build().evaluate(network(), test, Columns.of("features", "class")));
    assertThat(e).isInstanceOf(DataException.class);
    assertThat(e.getMessage()).contains("'features'").contains("pixels").doesNotContain("\n");
    System.out.println("bad column: " + e.getMessage());
  }
}
