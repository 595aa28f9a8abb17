package ringtrain.driver.launch;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import org.apache.spark.serializer.KryoRegistrator;
import ringtrain.common.metrics.EvalMetrics;
import ringtrain.driver.data.ShardExample;
import ringtrain.worker.data.Dataset;
import ringtrain.worker.data.TrainTest;

/**
 * Registers every class ringtrain ships through Spark's Kryo serializer (the broadcast dataset and
 * the stage's result), so that {@code spark.kryo.registrationRequired=true} holds. The classes are
 * records or have final fields, which Kryo's field serializer cannot set on Java 17; each gets an
 * explicit serializer that writes its fields in a fixed order.
 */
public final class RingtrainKryoRegistrator implements KryoRegistrator {

  @Override
  public void registerClasses(Kryo kryo) {
    kryo.register(float[].class);
    kryo.register(int[].class);
    kryo.register(Dataset.class, new DatasetSerializer());
    kryo.register(TrainTest.class, new TrainTestSerializer());
    // Placement shard: the records of the shuffle that feeds the barrier stage.
    kryo.register(ShardExample.class, new ShardExampleSerializer());
    kryo.register(RankOutcome.class, new RankOutcomeSerializer());
    kryo.register(RankOutcome[].class);
  }

  /** Label, feature count, features. */
  static final class ShardExampleSerializer extends Serializer<ShardExample> {
    @Override
    public void write(Kryo kryo, Output out, ShardExample e) {
      out.writeInt(e.label(), true);
      out.writeInt(e.features().length, true);
      out.writeFloats(e.features());
    }

    @Override
    public ShardExample read(Kryo kryo, Input in, Class<ShardExample> type) {
      int label = in.readInt(true);
      return new ShardExample(in.readFloats(in.readInt(true)), label);
    }
  }

  /** Shape, class count, labels, features. */
  static final class DatasetSerializer extends Serializer<Dataset> {
    @Override
    public void write(Kryo kryo, Output out, Dataset d) {
      int[] shape = d.shape();
      out.writeInt(shape.length, true);
      out.writeInts(shape);
      out.writeInt(d.numClasses(), true);
      out.writeInt(d.size(), true);
      out.writeInts(d.labels());
      out.writeFloats(d.features());
    }

    @Override
    public Dataset read(Kryo kryo, Input in, Class<Dataset> type) {
      int[] shape = in.readInts(in.readInt(true));
      int numClasses = in.readInt(true);
      int size = in.readInt(true);
      int[] labels = in.readInts(size);
      long features = size;
      for (int s : shape) {
        features *= s;
      }
      return new Dataset(in.readFloats(Math.toIntExact(features)), labels, shape, numClasses);
    }
  }

  /** Training set, then test set. */
  static final class TrainTestSerializer extends Serializer<TrainTest> {
    private final DatasetSerializer dataset = new DatasetSerializer();

    @Override
    public void write(Kryo kryo, Output out, TrainTest t) {
      dataset.write(kryo, out, t.train());
      dataset.write(kryo, out, t.test());
    }

    @Override
    public TrainTest read(Kryo kryo, Input in, Class<TrainTest> type) {
      return new TrainTest(
          dataset.read(kryo, in, Dataset.class), dataset.read(kryo, in, Dataset.class));
    }
  }

  /** Parameters, then the scalar results and the final evaluation. */
  static final class RankOutcomeSerializer extends Serializer<RankOutcome> {
    @Override
    public void write(Kryo kryo, Output out, RankOutcome r) {
      out.writeInt(r.params().length, true);
      out.writeFloats(r.params());
      out.writeLong(r.steps());
      out.writeDouble(r.trainLoss());
      out.writeDouble(r.wallS());
      out.writeDouble(r.examplesPerS());
      EvalMetrics e = r.eval();
      out.writeLong(e.step());
      out.writeLong(e.epoch());
      out.writeDouble(e.testLoss());
      out.writeDouble(e.testAccuracy());
    }

    @Override
    public RankOutcome read(Kryo kryo, Input in, Class<RankOutcome> type) {
      float[] params = in.readFloats(in.readInt(true));
      long steps = in.readLong();
      double trainLoss = in.readDouble();
      double wallS = in.readDouble();
      double examplesPerS = in.readDouble();
      EvalMetrics eval =
          new EvalMetrics(in.readLong(), in.readLong(), in.readDouble(), in.readDouble());
      return new RankOutcome(params, steps, trainLoss, eval, wallS, examplesPerS);
    }
  }
}
