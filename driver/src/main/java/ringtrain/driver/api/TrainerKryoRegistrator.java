package ringtrain.driver.api;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.serializers.JavaSerializer;
import org.apache.spark.serializer.KryoRegistrator;
import org.nd4j.linalg.dataset.DataSet;
import ringtrain.driver.launch.RingtrainKryoRegistrator;

/**
 * The Kryo registrations a user's own Spark application needs ({@link Trainer#configure} sets it):
 * ringtrain's own classes, which the training stage ships, and ND4J's {@link DataSet}, which a
 * {@code JavaRDD<DataSet>} built with {@code parallelize} ships. A DataSet's arrays live off the
 * heap, where Kryo's field serializer cannot reach; it travels in its own Java serialized form.
 */
public final class TrainerKryoRegistrator implements KryoRegistrator {
  @Override
  public void registerClasses(Kryo kryo) {
    new RingtrainKryoRegistrator().registerClasses(kryo);
    kryo.register(DataSet.class, new JavaSerializer());
  }
}
