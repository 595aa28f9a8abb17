package ringtrain.driver.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.file.Path;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import ringtrain.common.error.DataException;
import ringtrain.common.error.UserException;

/** The Java API over an application's own SparkContext: its configuration, bad column mappings. */
class TrainerSparkContextTest {
  @TempDir Path tmp;

  private static SparkConf conf() {
    return new SparkConf()
        .setMaster("local[2]")
        .setAppName("trainer spark context test")
        .set("spark.ui.enabled", "false");
  }

  @Test
  void shouldAddItsKryoRegistratorToTheOnesAlreadySet() {
    SparkConf conf = Trainer.configure(conf().set("spark.kryo.registrator", "com.example.Mine"));
    assertThat(conf.get("spark.serializer"))
        .isEqualTo("org.apache.spark.serializer.KryoSerializer");
    assertThat(conf.get("spark.kryo.registrator"))
        .isEqualTo("com.example.Mine," + TrainerKryoRegistrator.class.getName());
    assertThat(Trainer.configure(conf).get("spark.kryo.registrator"))
        .isEqualTo("com.example.Mine," + TrainerKryoRegistrator.class.getName());
  }

  @Test
  void shouldRefuseAContextWithoutRingtrainsKryoRegistrationsInOneLine() {
    try (JavaSparkContext sc = new JavaSparkContext(conf())) {
      Throwable e = catchThrowable(() -> Trainer.builder(sc));
      assertThat(e).isInstanceOf(UserException.class);
      assertThat(e.getMessage())
          .contains("Trainer.configure(conf)")
          .contains("spark.kryo.registrator=" + TrainerKryoRegistrator.class.getName())
          .doesNotContain("\n");
    }
  }

  @Test
  void shouldNameAMissingLabelColumnBeforeWritingAnything() {
    try (JavaSparkContext sc = new JavaSparkContext(Trainer.configure(conf()))) {
      StructType schema =
          new StructType(
              new StructField[] {
                DataTypes.createStructField("x1", DataTypes.DoubleType, false),
                DataTypes.createStructField("x2", DataTypes.DoubleType, false),
                DataTypes.createStructField("y", DataTypes.IntegerType, false)
              });
      org.apache.spark.sql.Dataset<Row> df =
          SparkSession.builder()
              .sparkContext(sc.sc())
              .getOrCreate()
              .createDataFrame(
                  List.of(RowFactory.create(1.0, 2.0, 0), RowFactory.create(3.0, 4.0, 1)), schema);
      MultiLayerNetwork net =
          new MultiLayerNetwork(
              new NeuralNetConfiguration.Builder()
                  .list()
                  .layer(
                      new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                          .nOut(2)
                          .activation(Activation.SOFTMAX)
                          .build())
                  .setInputType(InputType.feedForward(2))
                  .build());
      net.init();
      Path out = tmp.resolve("run");
      Trainer trainer =
          Trainer.builder(sc)
              .set("data.num_classes", 2)
              .set("train.steps", 1)
              .set("train.micro_batch", 1)
              .out(out)
              .build();

      Throwable e =
          catchThrowable(() -> trainer.fit(net, df, df, Columns.of(List.of("x1", "x2"), "label")));
      assertThat(e).isInstanceOf(DataException.class);
      assertThat(e.getMessage())
          .isEqualTo(
              "the training DataFrame: data.label names column 'label', which is not there"
                  + " (columns: x1, x2, y); set data.label to one of them");
      assertThat(out).doesNotExist();

      Throwable notNumeric =
          catchThrowable(
              () ->
                  trainer.evaluate(
                      net,
                      df.selectExpr("x1", "'a' AS x2", "y"),
                      Columns.of(List.of("x1", "x2"), "y")));
      assertThat(notNumeric).isInstanceOf(DataException.class);
      assertThat(notNumeric.getMessage()).contains("'x2'").doesNotContain("\n");

      EvalReport ok = trainer.evaluate(net, df, Columns.of(List.of("x1", "x2"), "y"));
      assertThat(ok.examples()).isEqualTo(2);
    }
  }
}
