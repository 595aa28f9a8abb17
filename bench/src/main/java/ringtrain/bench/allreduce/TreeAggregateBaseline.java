package ringtrain.bench.allreduce;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function2;

/**
 * What Spark users do today to sum a vector across partitions: {@code treeAggregate} of one cached
 * float[] per partition on a local Spark with one thread per rank. The sum ends on the driver only
 * (no broadcast back), which flatters Spark.
 */
final class TreeAggregateBaseline implements AutoCloseable {
  private final JavaSparkContext sc;
  private final int world;

  TreeAggregateBaseline(int world) {
    this.world = world;
    SparkConf conf =
        new SparkConf()
            .setMaster("local[" + world + "]")
            .setAppName("ringtrain-bench-treeAggregate")
            .set("spark.ui.enabled", "false")
            .set("spark.driver.host", "127.0.0.1")
            .set("spark.driver.bindAddress", "127.0.0.1")
            .set("spark.serializer", "org.apache.spark.serializer.KryoSerializer");
    sc = new JavaSparkContext(conf);
    sc.setLogLevel("WARN");
  }

  /** Median seconds of three treeAggregate runs of {@code count}-float vectors (one warm-up). */
  double seconds(int count) {
    List<Integer> ranks = new ArrayList<>();
    for (int r = 0; r < world; r++) {
      ranks.add(r);
    }
    JavaRDD<float[]> vectors = sc.parallelize(ranks, world).map(new Generate(count)).cache();
    vectors.count();
    double[] times = new double[3];
    for (int run = -1; run < times.length; run++) {
      long t0 = System.nanoTime();
      float[] sum = vectors.treeAggregate(new float[count], new Add(), new Add(), 2);
      long elapsed = System.nanoTime() - t0;
      if (sum.length != count) {
        throw new IllegalStateException("treeAggregate returned " + sum.length + " floats");
      }
      if (run >= 0) {
        times[run] = elapsed / 1e9;
      }
    }
    vectors.unpersist(true);
    Arrays.sort(times);
    return times[1];
  }

  @Override
  public void close() {
    sc.stop();
  }

  private static final class Generate
      implements org.apache.spark.api.java.function.Function<Integer, float[]>, Serializable {
    private static final long serialVersionUID = 1L;
    private final int count;

    Generate(int count) {
      this.count = count;
    }

    @Override
    public float[] call(Integer rank) {
      float[] v = new float[count];
      for (int i = 0; i < count; i++) {
        v[i] = BenchRank.value(rank, i);
      }
      return v;
    }
  }

  private static final class Add implements Function2<float[], float[], float[]>, Serializable {
    private static final long serialVersionUID = 1L;

    @Override
    public float[] call(float[] acc, float[] v) {
      for (int i = 0; i < acc.length; i++) {
        acc[i] += v[i];
      }
      return acc;
    }
  }
}
