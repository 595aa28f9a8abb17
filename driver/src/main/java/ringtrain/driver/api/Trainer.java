package ringtrain.driver.api;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.dataset.DataSet;
import ringtrain.common.config.DataConfig;
import ringtrain.common.config.JobConfig;
import ringtrain.common.error.UserException;
import ringtrain.driver.config.ConfigLoader;
import ringtrain.driver.data.SparkFrames;
import ringtrain.driver.launch.RingtrainKryoRegistrator;
import ringtrain.driver.launch.SparkLauncher;
import ringtrain.driver.run.TrainRun;
import ringtrain.worker.data.Dataset;
import ringtrain.worker.data.DatasetLoader;
import ringtrain.worker.data.TrainTest;
import ringtrain.worker.model.TrainableModel;

/**
 * ringtrain from a user's own Spark application: the replacement for DL4J's {@code
 * SparkDl4jMultiLayer} / {@code SparkComputationGraph}. Build it over the application's Spark
 * context (a {@code SparkSession} user passes {@code spark.sparkContext()}) and a configuration (a
 * job file and {@code key=value} settings, the keys of {@code conf/reference.conf}), then {@link
 * #fit} the network:
 *
 * <pre>{@code
 * Trainer trainer = Trainer.builder(sc).conf(Path.of("job.conf")).set("train.epochs", 5).build();
 * FitResult<MultiLayerNetwork> fit = trainer.fit(net);   // net now holds the trained parameters
 * System.out.println(fit.report().testAccuracy());
 * }</pre>
 *
 * <p>The data come from the configuration ({@code data.*}), or are handed in: a {@code
 * JavaRDD<DataSet>} as DL4J Spark takes it ({@link #fit(Model, JavaRDD, JavaRDD)}), or a {@code
 * Dataset<Row>} with its {@link Columns} ({@link #fit(Model, org.apache.spark.sql.Dataset,
 * org.apache.spark.sql.Dataset, Columns)}). Either becomes the DataFrame that {@code data.format =
 * spark} reads, and takes the same path from there. {@link #evaluate} scores a network on a test
 * set over {@code train.world_size} ranks.
 *
 * <p>A Spark context of the application's own needs Kryo with ringtrain's registrations: build its
 * {@code SparkConf} through {@link #configure(SparkConf)}.
 *
 * <p>Training is synchronous data parallelism with exact gradient averaging every step over {@code
 * train.world_size} barrier tasks; the network's parameters are the start point, its own updater is
 * replaced by {@code optim.*}. The start parameters are written to {@code start-model.zip} in the
 * run directory, which rank 0 reads: on a cluster, the run directory must be visible to the
 * executors (as {@code snapshot.dir} must be).
 */
public final class Trainer {
  private static final String START_MODEL = "start-model.zip";
  private static final String KRYO = "org.apache.spark.serializer.KryoSerializer";
  private static final String TRAIN_RDD = "the training JavaRDD<DataSet>";
  private static final String TEST_RDD = "the test JavaRDD<DataSet>";
  private static final String TRAIN_FRAME = "the training DataFrame";
  private static final String TEST_FRAME = "the test DataFrame";

  private final Path jobFile;
  private final List<String> settings;
  private final Path out;

  private Trainer(Path jobFile, List<String> settings, Path out) {
    this.jobFile = jobFile;
    this.settings = List.copyOf(settings);
    this.out = out;
  }

  /** A trainer running its ranks as barrier tasks of {@code sc}'s cluster. */
  public static Builder builder(JavaSparkContext sc) {
    return builder(Objects.requireNonNull(sc, "sc").sc());
  }

  /** A trainer running its ranks as barrier tasks of {@code sc}'s cluster. */
  public static Builder builder(SparkContext sc) {
    Objects.requireNonNull(sc, "sc");
    if (sc.isStopped()) {
      throw new UserException("the SparkContext is stopped; pass a running one to Trainer.builder");
    }
    SparkConf conf = sc.getConf();
    String registrators = conf.get("spark.kryo.registrator", "");
    if (!KRYO.equals(conf.get("spark.serializer", ""))
        || !(registrators.contains(TrainerKryoRegistrator.class.getName())
            || registrators.contains(RingtrainKryoRegistrator.class.getName()))) {
      throw new UserException(
          "the SparkContext does not serialize with Kryo and ringtrain's registrations; build its"
              + " SparkConf with Trainer.configure(conf), or set spark.serializer="
              + KRYO
              + " and spark.kryo.registrator="
              + TrainerKryoRegistrator.class.getName());
    }
    return new Builder();
  }

  /**
   * {@code conf} made ready for ringtrain: Kryo serialization with {@link TrainerKryoRegistrator}
   * added to the registrators already set. Call it before the SparkContext is created.
   */
  public static SparkConf configure(SparkConf conf) {
    conf.set("spark.serializer", KRYO);
    String name = TrainerKryoRegistrator.class.getName();
    String registrators = conf.get("spark.kryo.registrator", "").trim();
    if (!registrators.contains(name)) {
      conf.set("spark.kryo.registrator", registrators.isEmpty() ? name : registrators + "," + name);
    }
    return conf;
  }

  /** A trainer running every rank as a thread of this JVM (no Spark). */
  public static Builder local() {
    return new Builder();
  }

  /** Trains {@code net} and copies the trained parameters back into it. */
  public FitResult<MultiLayerNetwork> fit(MultiLayerNetwork net) {
    return new FitResult<>(net, train(net));
  }

  /** Trains {@code graph} (one input, one output) and copies the trained parameters back. */
  public FitResult<ComputationGraph> fit(ComputationGraph graph) {
    return new FitResult<>(graph, train(graph));
  }

  /**
   * Trains {@code network} (a MultiLayerNetwork or a one-input, one-output ComputationGraph) on
   * {@code train}, reports its accuracy on {@code test}, and copies the trained parameters back.
   * Each DataSet may hold any number of examples: features of any shape ({@code [n, c, h, w]}
   * images set {@code data.shape}), labels one-hot {@code [n, classes]} (which sets {@code
   * data.num_classes}) or class indices {@code [n, 1]}. Features are used as they are ({@code
   * data.normalize = auto} means none here).
   */
  public <M extends Model> FitResult<M> fit(
      M network, JavaRDD<DataSet> train, JavaRDD<DataSet> test) {
    DataSetFrames.Converted tr = DataSetFrames.of(train, TRAIN_RDD);
    DataSetFrames.Converted te = DataSetFrames.of(test, TEST_RDD);
    return new FitResult<>(
        network,
        train(
            network,
            frameSettings(tr.settings()),
            new SparkFrames.Frames(tr.frame(), TRAIN_RDD, te.frame(), TEST_RDD)));
  }

  /**
   * {@link #fit(Model, JavaRDD, JavaRDD)} without a test set: the report's accuracy and loss are
   * measured on (the first {@code data.limit_test} examples of) the training set.
   */
  public <M extends Model> FitResult<M> fit(M network, JavaRDD<DataSet> train) {
    return fit(network, train, train);
  }

  /**
   * Trains {@code network} on the rows of {@code train}, reports its accuracy on {@code test}, and
   * copies the trained parameters back; {@code columns} says where each example's features and
   * label are (the {@code data.features}, {@code data.label}, {@code data.shape} of {@code
   * data.format = spark}, checked the same way).
   */
  public <M extends Model> FitResult<M> fit(
      M network,
      org.apache.spark.sql.Dataset<Row> train,
      org.apache.spark.sql.Dataset<Row> test,
      Columns columns) {
    return new FitResult<>(
        network,
        train(
            network,
            frameSettings(columns.settings()),
            new SparkFrames.Frames(train, TRAIN_FRAME, test, TEST_FRAME)));
  }

  /**
   * Accuracy and loss of {@code network} on {@code test}, scored by {@code train.world_size} ranks
   * (Spark barrier tasks when a SparkContext runs, else this JVM) whose counts are all-reduced.
   */
  public EvalReport evaluate(Model network, JavaRDD<DataSet> test) {
    DataSetFrames.Converted te = DataSetFrames.of(test, TEST_RDD);
    return evaluate(network, te.frame(), TEST_RDD, te.settings());
  }

  /** Accuracy and loss of {@code network} on the rows of {@code test}, as {@link #evaluate}. */
  public EvalReport evaluate(
      Model network, org.apache.spark.sql.Dataset<Row> test, Columns columns) {
    return evaluate(network, test, TEST_FRAME, columns.settings());
  }

  private EvalReport evaluate(
      Model network, org.apache.spark.sql.Dataset<Row> frame, String source, List<String> extra) {
    JobConfig job = JobConfig.from(ConfigLoader.load(jobFile, withAll(frameSettings(extra))));
    DataConfig cfg = job.data();
    if (cfg.effectiveNormalize() == DataConfig.Normalize.STANDARD) {
      throw new UserException(
          "data.normalize = standard takes its statistics from the training set, which evaluate"
              + " does not see; normalize the test data beforehand or use none or scale");
    }
    Dataset raw = SparkFrames.convert(cfg, source, frame, cfg.limitTest());
    Dataset test = DatasetLoader.prepare(cfg, new TrainTest(raw, raw)).test();
    return DistributedEvaluation.run(
        network, test, job.train().worldSize(), SparkLauncher.activeContext().orElse(null));
  }

  /** Settings for data handed in as frames: the column mapping and names for data.path. */
  private static List<String> frameSettings(List<String> columns) {
    List<String> all = new ArrayList<>(columns);
    // data.format = spark asks for both; the frames are not read from anywhere.
    all.add("data.path=" + Columns.quote("(DataFrame passed to Trainer)"));
    all.add("data.test_path=" + Columns.quote("(DataFrame passed to Trainer)"));
    return all;
  }

  private List<String> withAll(List<String> extra) {
    List<String> all = new ArrayList<>(settings);
    all.addAll(extra);
    return all;
  }

  private FitReport train(Model network) {
    return train(network, List.of(), null);
  }

  private FitReport train(Model network, List<String> extra, SparkFrames.Frames frames) {
    TrainableModel model = TrainableModel.of(network);
    Path root = out != null ? out : Paths.get("runs", "api-" + System.currentTimeMillis());
    boolean created = !Files.exists(root);
    Path start = root.resolve(START_MODEL);
    try {
      Files.createDirectories(root);
      model.save(start);
    } catch (IOException e) {
      throw new UserException(
          "cannot write " + start + " (" + e.getMessage() + "); give a writable output directory");
    }
    List<String> all = withAll(extra);
    all.add("model.type=dl4j");
    all.add("model.file=\"" + start.toAbsolutePath() + "\"");
    TrainRun.Result result;
    try {
      result = new TrainRun(jobFile, all, root, false, frames).execute();
    } catch (RuntimeException e) {
      deleteQuietly(start, created ? root : null);
      throw e;
    }
    model.params().assign(result.training().params().reshape(model.params().shape()));
    return new FitReport(
        result.training().eval().testAccuracy(),
        result.training().eval().testLoss(),
        result.training().steps(),
        result.summary().wallS(),
        result.runDirectory());
  }

  private static void deleteQuietly(Path file, Path emptyDir) {
    try {
      Files.deleteIfExists(file);
      if (emptyDir != null) {
        Files.deleteIfExists(emptyDir);
      }
    } catch (IOException e) {
      // The run failed for the reason being thrown; a leftover start model is harmless.
    }
  }

  /** Configuration of a {@link Trainer}: a job file, settings over it, an output directory. */
  public static final class Builder {
    private Path jobFile;
    private final List<String> settings = new ArrayList<>();
    private Path out;

    private Builder() {}

    /** A HOCON job file (keys as in {@code conf/reference.conf}). */
    public Builder conf(Path jobFile) {
      this.jobFile = jobFile;
      return this;
    }

    /** One setting over the job file, e.g. {@code set("train.world_size", 2)}. */
    public Builder set(String key, Object value) {
      settings.add(key + "=" + value);
      return this;
    }

    /** Settings in {@code key=value} form, as {@code --set} takes them. */
    public Builder set(List<String> keyValues) {
      settings.addAll(keyValues);
      return this;
    }

    /** The run directory (default {@code runs/api-<time>}); it must not hold a run yet. */
    public Builder out(Path dir) {
      this.out = dir;
      return this;
    }

    public Trainer build() {
      return new Trainer(jobFile, settings, out);
    }
  }
}
