package ringtrain.driver.api;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import ringtrain.common.error.UserException;
import ringtrain.driver.run.TrainRun;
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
 * <p>Training is synchronous data parallelism with exact gradient averaging every step over {@code
 * train.world_size} barrier tasks; the network's parameters are the start point, its own updater is
 * replaced by {@code optim.*}. The start parameters are written to {@code start-model.zip} in the
 * run directory, which rank 0 reads: on a cluster, the run directory must be visible to the
 * executors (as {@code snapshot.dir} must be).
 */
public final class Trainer {
  private static final String START_MODEL = "start-model.zip";

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
    return new Builder();
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

  private FitReport train(Model network) {
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
    List<String> all = new ArrayList<>(settings);
    all.add("model.type=dl4j");
    all.add("model.file=\"" + start.toAbsolutePath() + "\"");
    TrainRun.Result result;
    try {
      result = new TrainRun(jobFile, all, root, false).execute();
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
