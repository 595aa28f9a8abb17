package ringtrain.driver.api;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import ringtrain.common.error.UserException;
import ringtrain.worker.data.Dataset;
import ringtrain.worker.data.MiniBatches;
import ringtrain.worker.loop.TestSetScorer;
import ringtrain.worker.model.TrainableModel;
import scala.collection.Iterator;
import scala.collection.JavaConverters;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction1;

/**
 * Test-set scoring spread over N ranks, as the training loop's evaluation does it: rank r scores
 * examples {@code [n·r/N, n·(r+1)/N)} and the ranks all-reduce their counts (correct predictions,
 * loss sum, examples). On Spark the ranks are the tasks of one barrier stage, the test set reaches
 * them as a broadcast and the all-reduce is one {@code allGather} of three numbers each, summed in
 * rank order on every rank; without Spark the slices are scored here, summed in the same order.
 * Correct and example counts are whole numbers, so the result is exact.
 */
final class DistributedEvaluation {
  private DistributedEvaluation() {}

  /** Scores {@code network} on {@code test} with {@code world} ranks. */
  static EvalReport run(Model network, Dataset test, int world, SparkContext sc) {
    TrainableModel model = TrainableModel.of(network);
    boolean images = images(model, test);
    checkOutputs(model, test, images);
    double[] totals =
        sc == null ? local(model, test, images, world) : onSpark(sc, network, test, world);
    long correct = Math.round(totals[0]);
    long examples = Math.round(totals[2]);
    return new EvalReport((double) correct / examples, totals[1] / totals[2], correct, examples);
  }

  private static boolean images(TrainableModel model, Dataset test) {
    return test.shape().length == 3 && model.imageInput();
  }

  private static void checkOutputs(TrainableModel model, Dataset test, boolean images) {
    long outputs;
    try {
      outputs = model.output(MiniBatches.of(test, new int[] {0}, images).getFeatures()).size(1);
    } catch (RuntimeException e) {
      throw new UserException(
          "the network does not accept the test examples ("
              + (images
                  ? "images of shape " + Arrays.toString(test.shape())
                  : test.featureCount() + " features each")
              + "); give test data shaped like the training data");
    }
    if (outputs != test.numClasses()) {
      throw new UserException(
          "the network predicts "
              + outputs
              + " classes but the test data has "
              + test.numClasses()
              + " (data.num_classes); set data.num_classes to the network's output size");
    }
  }

  private static double[] local(TrainableModel model, Dataset test, boolean images, int world) {
    double[] totals = new double[3];
    for (int rank = 0; rank < world; rank++) {
      add(totals, slice(model, test, images, rank, world));
    }
    return totals;
  }

  /** Rank {@code rank}'s {correct, loss sum, count}. */
  static float[] slice(TrainableModel model, Dataset test, boolean images, int rank, int world) {
    int n = test.size();
    int from = (int) ((long) n * rank / world);
    int to = (int) ((long) n * (rank + 1) / world);
    return TestSetScorer.score(model, test, images, from, to);
  }

  private static void add(double[] totals, float[] part) {
    for (int i = 0; i < totals.length; i++) {
      totals[i] += part[i];
    }
  }

  private static double[] onSpark(SparkContext sc, Model network, Dataset test, int world) {
    Broadcast<Dataset> shared = sc.broadcast(test, ClassTag$.MODULE$.apply(Dataset.class));
    try {
      EvalTask task = new EvalTask(zip(network), network instanceof ComputationGraph, shared);
      String[] results =
          (String[])
              new JavaSparkContext(sc)
                  .parallelize(IntStream.range(0, world).boxed().toList(), world)
                  .rdd()
                  .barrier()
                  .mapPartitions(task, false, ClassTag$.MODULE$.apply(String.class))
                  .collect();
      if (results.length != 1) {
        throw new IllegalStateException(
            "the evaluation stage returned " + results.length + " results, expected rank 0's");
      }
      return decode(results[0]);
    } finally {
      shared.unpersist(false);
    }
  }

  private static byte[] zip(Model network) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      ModelSerializer.writeModel(network, bytes, false);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serialize the network", e);
    }
    return bytes.toByteArray();
  }

  static String encode(double[] values) {
    StringBuilder s = new StringBuilder();
    for (double v : values) {
      s.append(s.length() == 0 ? "" : " ").append(Double.toHexString(v));
    }
    return s.toString();
  }

  static double[] decode(String s) {
    return Arrays.stream(s.split(" ")).mapToDouble(Double::parseDouble).toArray();
  }

  /**
   * One rank of the evaluation stage. A class, not a lambda: executors cannot deserialize Java
   * lambdas as Scala functions.
   */
  static final class EvalTask extends AbstractFunction1<Iterator<Integer>, Iterator<String>>
      implements Serializable {
    private static final long serialVersionUID = 1L;

    private final byte[] modelZip;
    private final boolean graph;
    private final Broadcast<Dataset> test;

    EvalTask(byte[] modelZip, boolean graph, Broadcast<Dataset> test) {
      this.modelZip = modelZip;
      this.graph = graph;
      this.test = test;
    }

    @Override
    public Iterator<String> apply(Iterator<Integer> partition) {
      BarrierTaskContext ctx = BarrierTaskContext.get();
      int rank = ctx.partitionId();
      int world = ctx.getTaskInfos().length;
      TrainableModel model = TrainableModel.of(restore());
      Dataset data = test.value();
      float[] mine = slice(model, data, images(model, data), rank, world);
      double[] own = {mine[0], mine[1], mine[2]};
      // The all-reduce: every rank receives every rank's counts and sums them in rank order.
      double[] totals = new double[3];
      for (String counts : ctx.allGather(encode(own))) {
        double[] part = decode(counts);
        for (int i = 0; i < totals.length; i++) {
          totals[i] += part[i];
        }
      }
      List<String> out = rank == 0 ? List.of(encode(totals)) : Collections.emptyList();
      return JavaConverters.asScalaIterator(out.iterator());
    }

    private Model restore() {
      try (ByteArrayInputStream in = new ByteArrayInputStream(modelZip)) {
        return graph
            ? ModelSerializer.restoreComputationGraph(in, false)
            : ModelSerializer.restoreMultiLayerNetwork(in, false);
      } catch (IOException e) {
        throw new UncheckedIOException(
            String.format(Locale.ROOT, "cannot restore the network (%d bytes)", modelZip.length),
            e);
      }
    }
  }
}
