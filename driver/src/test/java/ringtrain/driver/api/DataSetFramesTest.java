package ringtrain.driver.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import ringtrain.common.config.DataConfig;
import ringtrain.common.config.JobConfig;
import ringtrain.common.error.DataException;
import ringtrain.driver.config.ConfigLoader;
import ringtrain.driver.data.SparkFrames;
import ringtrain.worker.data.TrainTest;

/**
 * A {@code JavaRDD<DataSet>} becomes, through the frame path of {@code data.format = spark},
 * exactly the examples it holds: values in C order, classes from one-hot or index labels, the image
 * shape of 4-d features, rows in RDD order.
 */
class DataSetFramesTest {
  private static JavaSparkContext sc;

  @BeforeAll
  static void start() {
    sc =
        new JavaSparkContext(
            Trainer.configure(
                new SparkConf()
                    .setMaster("local[1]")
                    .setAppName("dataset frames test")
                    .set("spark.ui.enabled", "false")));
  }

  @AfterAll
  static void stop() {
    sc.stop();
  }

  private static TrainTest load(DataSetFrames.Converted c) {
    List<String> settings = new java.util.ArrayList<>(c.settings());
    settings.add("data.path=x");
    settings.add("data.test_path=x");
    DataConfig cfg = JobConfig.from(ConfigLoader.load(null, settings)).data();
    return SparkFrames.load(cfg, new SparkFrames.Frames(c.frame(), "train", c.frame(), "test"));
  }

  @Test
  void shouldKeepValuesOrderAndOneHotClassesOfImages() {
    // Two DataSets of 2 and 1 images [c=1, h=2, w=3], 4 classes one-hot.
    float[] a = {0.5f, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15.25f};
    DataSet first =
        new DataSet(
            Nd4j.create(a, new long[] {2, 1, 2, 3}, 'c'),
            Nd4j.create(new float[] {0, 0, 1, 0, 1, 0, 0, 0}, new long[] {2, 4}, 'c'));
    DataSet second =
        new DataSet(
            Nd4j.create(new float[] {-1, -2, -3, -4, -5, -6}, new long[] {1, 1, 2, 3}, 'c'),
            Nd4j.create(new float[] {0, 0, 0, 1}, new long[] {1, 4}, 'c'));
    DataSetFrames.Converted c =
        DataSetFrames.of(sc.parallelize(List.of(first, second), 2), "the RDD");
    assertThat(c.columns().shape()).containsExactly(1, 2, 3);
    assertThat(c.numClasses()).isEqualTo(4);

    TrainTest t = load(c);
    assertThat(t.train().shape()).containsExactly(1, 2, 3);
    assertThat(t.train().labels()).containsExactly(2, 0, 3);
    assertThat(t.train().features())
        .containsExactly(0.5f, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15.25f, -1, -2, -3, -4, -5, -6);
  }

  @Test
  void shouldReadIndexLabelsOfFlatFeaturesAndAFortranOrderedArray() {
    DataSet ds =
        new DataSet(
            Nd4j.create(new float[] {1, 2, 3, 4, 5, 6}, new long[] {2, 3}, 'f'),
            Nd4j.create(new float[] {7, 1}, new long[] {2, 1}, 'c'));
    DataSetFrames.Converted c = DataSetFrames.of(sc.parallelize(List.of(ds)), "the RDD");
    assertThat(c.columns().shape()).isEmpty();
    assertThat(c.numClasses()).isZero();
    TrainTest t = load(c);
    // 'f' order holds columns first: row 0 is 1, 3, 5.
    assertThat(t.train().features()).containsExactly(1, 3, 5, 2, 4, 6);
    assertThat(t.train().labels()).containsExactly(7, 1);
  }

  @Test
  void shouldRefuseLabelsThatAreNotOneHotInOneLine() {
    DataSet ds =
        new DataSet(
            Nd4j.create(new float[] {1, 2}, new long[] {2, 1}, 'c'),
            Nd4j.create(new float[] {0.3f, 0.7f, 1, 0}, new long[] {2, 2}, 'c'));
    Throwable e =
        catchThrowable(() -> load(DataSetFrames.of(sc.parallelize(List.of(ds)), "the RDD")));
    assertThat(e).isInstanceOf(DataException.class);
    assertThat(e.getMessage()).contains("not one-hot in row 0").doesNotContain("\n");
  }

  @Test
  void shouldRefuseAnEmptyRdd() {
    Throwable e =
        catchThrowable(
            () -> DataSetFrames.of(sc.parallelize(List.<DataSet>of(), 1), "the test RDD"));
    assertThat(e).isInstanceOf(DataException.class).hasMessageStartingWith("the test RDD holds no");
  }
}
