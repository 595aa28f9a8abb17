package ringtrain.driver.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ringtrain.driver.cli.Main;

/**
 * Every mistake in a Spark data source (configuration, path, schema, cells) ends the run before any
 * step with exit code 2 and one line naming the column, and the row where there is one. The data
 * are real Parquet files written by one local SparkSession shared by the class.
 */
class SparkSourceBadInputTest {
  private static SparkSession spark;
  @TempDir static Path data;
  @TempDir Path tmp;

  private static final StructType ARRAY_SCHEMA =
      new StructType(
          new StructField[] {
            DataTypes.createStructField(
                "features", DataTypes.createArrayType(DataTypes.FloatType, true), true),
            DataTypes.createStructField("label", DataTypes.IntegerType, true),
            DataTypes.createStructField("name", DataTypes.StringType, true),
            DataTypes.createStructField(
                "tags", DataTypes.createArrayType(DataTypes.StringType, true), true),
            DataTypes.createStructField("x", DataTypes.DoubleType, true),
            DataTypes.createStructField("dlabel", DataTypes.DoubleType, true)
          });

  @BeforeAll
  static void startSpark() {
    spark =
        SparkSession.builder()
            .master("local[1]")
            .appName("ringtrain spark source test")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "1")
            .getOrCreate();
    write("good", row(1f, 2f, 3f, 1), row(4f, 5f, 6f, 0), row(7f, 8f, 9f, 2));
    write("wide", row(1f, 2f, 3f, 4f, 1), row(4f, 5f, 6f, 7f, 0));
    write("label-high", row(1f, 2f, 3f, 1), row(4f, 5f, 6f, 10));
    write("label-negative", row(1f, 2f, 3f, -1));
    write("ragged", row(1f, 2f, 3f, 1), row(4f, 5f, 0), row(7f, 8f, 9f, 2));
    write("null-array", row(1f, 2f, 3f, 1), RowFactory.create(null, 1, "a", null, 0.5, 1.0));
    write(
        "null-element",
        row(1f, 2f, 3f, 1),
        RowFactory.create(Arrays.asList(1f, null, 3f), 1, "a", null, 0.5, 1.0));
    write("null-label", row(1f, 2f, 3f, 1), rowWithLabel(null, 1f, 2f, 3f));
    write("null-column", row(1f, 2f, 3f, 1), RowFactory.create(arr(1f), 1, "a", null, null, 1.0));
    write("half-label", RowFactory.create(arr(1f, 2f), 1, "a", null, 0.5, 1.5));
    write("empty");
  }

  @AfterAll
  static void stopSpark() {
    if (spark != null) {
      spark.stop();
    }
  }

  private static Row row(Object... valuesThenLabel) {
    Float[] features = new Float[valuesThenLabel.length - 1];
    for (int i = 0; i < features.length; i++) {
      features[i] = (Float) valuesThenLabel[i];
    }
    return rowWithLabel((Integer) valuesThenLabel[valuesThenLabel.length - 1], features);
  }

  private static Row rowWithLabel(Integer label, Float... features) {
    return RowFactory.create(
        arr(features), label, "n", arrOf("t"), 0.5, label == null ? null : label.doubleValue());
  }

  private static Object arr(Float... values) {
    return Arrays.asList(values);
  }

  private static Object arrOf(String... values) {
    return Arrays.asList(values);
  }

  private static void write(String name, Row... rows) {
    spark
        .createDataFrame(Arrays.asList(rows), ARRAY_SCHEMA)
        .coalesce(1)
        .write()
        .parquet(data.resolve(name).toString());
  }

  private record Outcome(int code, String err) {}

  private Outcome train(String... sets) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "train",
                "--out",
                tmp.resolve("run").toString(),
                "--set",
                "data.format=spark",
                "--set",
                "data.features=[features]",
                "--set",
                "data.test_path=\"" + data.resolve("good") + "\"",
                "--set",
                "train.micro_batch=1",
                "--set",
                "train.steps=1"));
    for (String s : sets) {
      args.add("--set");
      args.add(s);
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintWriter err = new PrintWriter(bytes, true, StandardCharsets.UTF_8);
    int code = Main.run(err, args.toArray(String[]::new));
    return new Outcome(code, bytes.toString(StandardCharsets.UTF_8));
  }

  private Outcome trainOn(String dataset, String... sets) {
    List<String> all = new ArrayList<>(List.of("data.path=\"" + data.resolve(dataset) + "\""));
    all.addAll(Arrays.asList(sets));
    return train(all.toArray(String[]::new));
  }

  private void assertOneLine(Outcome o, String... fragments) {
    assertThat(o.code()).as("exit code; stderr was: %s", o.err()).isEqualTo(2);
    assertThat(o.err().strip().lines().count()).as("stderr lines: %s", o.err()).isEqualTo(1);
    assertThat(o.err()).doesNotContain("Exception").doesNotContain("\tat ");
    for (String f : fragments) {
      assertThat(o.err()).contains(f);
    }
    assertThat(Files.exists(tmp.resolve("run"))).as("run directory").isFalse();
  }

  @Test
  void shouldRejectAnEmptyPath() {
    assertOneLine(train(), "data.path is empty");
  }

  @Test
  void shouldRejectAnEmptyTestPath() {
    assertOneLine(trainOn("good", "data.test_path=\"\""), "data.test_path is empty");
  }

  @Test
  void shouldRejectNoFeatureColumns() {
    assertOneLine(trainOn("good", "data.features=[]"), "data.features");
  }

  @Test
  void shouldRejectAnEmptyLabel() {
    assertOneLine(trainOn("good", "data.label=\"\""), "data.label is empty");
  }

  @Test
  void shouldRejectAReaderOptionWithoutEquals() {
    assertOneLine(trainOn("good", "data.spark.options=[header]"), "data.spark.options", "header");
  }

  @Test
  void shouldRejectALabelThatIsAlsoAFeature() {
    assertOneLine(trainOn("good", "data.features=[x, label]"), "data.label = label");
  }

  @Test
  void shouldRejectAMissingPath() {
    assertOneLine(trainOn("no-such-dir"), "data.path", "no-such-dir");
  }

  @Test
  void shouldRejectAnUnknownFormat() {
    assertOneLine(trainOn("good", "data.spark.format=nosuchformat"), "nosuchformat");
  }

  @Test
  void shouldRejectAFileThatIsNotParquet() throws IOException {
    Path bogus = Files.createDirectories(tmp.resolve("bogus"));
    Files.writeString(bogus.resolve("part-0.parquet"), "this is not parquet\n");
    assertOneLine(train("data.path=\"" + bogus + "\""), "data.path", "bogus");
  }

  @Test
  void shouldRejectAMissingFeatureColumn() {
    assertOneLine(trainOn("good", "data.features=[pixels]"), "'pixels'", "columns: features");
  }

  @Test
  void shouldRejectAMissingLabelColumn() {
    assertOneLine(trainOn("good", "data.label=class"), "data.label", "'class'");
  }

  @Test
  void shouldRejectANonNumericFeatureColumn() {
    assertOneLine(trainOn("good", "data.features=[name]"), "'name'", "string", "not numeric");
  }

  @Test
  void shouldRejectAnArrayOfStrings() {
    assertOneLine(trainOn("good", "data.features=[tags]"), "'tags'", "array<string>");
  }

  @Test
  void shouldRejectAStringLabel() {
    assertOneLine(trainOn("good", "data.label=name"), "data.label column 'name'", "string");
  }

  @Test
  void shouldRejectAnArrayAmongSeveralColumns() {
    assertOneLine(trainOn("good", "data.features=[x, features]"), "'features'", "each must be");
  }

  @Test
  void shouldRejectALabelAboveTheClassCount() {
    assertOneLine(trainOn("label-high"), "'label'", "10", "row 1", "data.num_classes");
  }

  @Test
  void shouldRejectANegativeLabel() {
    assertOneLine(trainOn("label-negative"), "'label'", "-1", "row 0");
  }

  @Test
  void shouldRejectALabelThatIsNotAWholeNumber() {
    assertOneLine(trainOn("half-label", "data.label=dlabel"), "'dlabel'", "1.5", "row 0");
  }

  @Test
  void shouldRejectRaggedArrays() {
    assertOneLine(trainOn("ragged"), "'features'", "2 values in row 1", "3 in row 0");
  }

  @Test
  void shouldRejectANullFeatureCell() {
    assertOneLine(trainOn("null-array"), "'features' is null in row 1");
  }

  @Test
  void shouldRejectANullInsideAnArray() {
    assertOneLine(trainOn("null-element"), "'features' holds a null in row 1");
  }

  @Test
  void shouldRejectANullLabel() {
    assertOneLine(trainOn("null-label"), "'label' is null in row 1");
  }

  @Test
  void shouldRejectANullInANumericColumn() {
    assertOneLine(trainOn("null-column", "data.features=[x]"), "'x' is null in row 1");
  }

  @Test
  void shouldRejectAShapeThatDoesNotMatchTheFeatures() {
    assertOneLine(trainOn("good", "data.shape=[1, 28, 28]"), "data.shape", "3 features");
  }

  @Test
  void shouldRejectAnEmptyDataset() {
    assertOneLine(trainOn("empty"), "holds no rows");
  }

  @Test
  void shouldRejectATestSetWithOtherFeatures() {
    assertOneLine(
        trainOn("good", "data.test_path=\"" + data.resolve("wide") + "\""),
        "data.test_path",
        "4 features",
        "3");
  }
}
