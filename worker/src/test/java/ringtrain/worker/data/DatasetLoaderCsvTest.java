package ringtrain.worker.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ringtrain.common.config.DataConfig.Normalize;
import ringtrain.common.config.key.DataKeys;
import ringtrain.common.error.ConfigException;
import ringtrain.common.error.DataException;

class DatasetLoaderCsvTest {
  @TempDir Path dir;

  private Path file(String name, String content) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, content);
    return p;
  }

  private TrainTest load(String train, String test, int labelColumn, Normalize n)
      throws IOException {
    return DatasetLoader.load(
        DataConfigs.csv(file("train.csv", train), file("test.csv", test), labelColumn, 3, n), 1);
  }

  @Test
  void shouldReadLabelFromConfiguredColumnAndFeaturesFromTheRest() throws IOException {
    TrainTest data = load("1.5,-2,1,4e1\n0,0.25, 2 ,7\n", "9,8,0,6\n", 2, Normalize.AUTO);

    assertThat(data.train().labels()).containsExactly(1, 2);
    assertThat(data.train().features()).containsExactly(1.5f, -2f, 40f, 0f, 0.25f, 7f);
    assertThat(data.train().shape()).containsExactly(3);
    assertThat(data.test().labels()).containsExactly(0);
    assertThat(data.test().features()).containsExactly(9f, 8f, 6f);
  }

  @Test
  void shouldAcceptIntegralLabelsWrittenAsDecimalsAndSkipBlankLines() throws IOException {
    TrainTest data = load("2.0,1\n\n1,2\n   \n", "0,3\n", 0, Normalize.NONE);

    assertThat(data.train().labels()).containsExactly(2, 1);
    assertThat(data.train().features()).containsExactly(1f, 2f);
  }

  @Test
  void shouldStandardizeWithTrainingStatisticsMatchingNumPy() throws URISyntaxException {
    Path train = Path.of(getClass().getResource("/data/standard-train.csv").toURI());
    Path test = Path.of(getClass().getResource("/data/standard-test.csv").toURI());

    TrainTest data = DatasetLoader.load(DataConfigs.csv(train, test, 0, 3, Normalize.STANDARD), 1);

    // Golden values: src/test/resources/data/standardize_golden.py → standardize_golden.txt
    // (mean [3, 25, 5], population std [1.8708…, 20.6155…, 0 → 1]).
    assertThat(data.train().features())
        .containsExactly(
            new float[] {
              -1.0690449476242065f, -0.7276068925857544f, 0.0f,
              -0.5345224738121033f, -0.24253562092781067f, 0.0f,
              0.0f, 1.697749376296997f, 0.0f,
              1.6035674810409546f, -0.7276068925857544f, 0.0f
            },
            within(1e-6f));
    assertThat(data.test().features())
        .containsExactly(
            new float[] {
              -1.6035674810409546f, 0.24253562092781067f, 2.0f,
              0.5345224738121033f, -0.7276068925857544f, 0.0f
            },
            within(1e-6f));
    assertThat(data.train().labels()).containsExactly(0, 1, 2, 1);
  }

  @Test
  void shouldTakeStandardizationStatisticsFromTheLimitedTrainingSet() throws IOException {
    Path train = file("train.csv", "0,1\n0,3\n0,1000\n");
    Path test = file("test.csv", "0,5\n");

    TrainTest data =
        DatasetLoader.load(
            DataConfigs.csv(train, test, 0, 3, Normalize.STANDARD, DataConfigs.limits(2, 0)), 1);

    // First two rows only: mean 2, std 1.
    assertThat(data.train().features()).containsExactly(-1f, 1f);
    assertThat(data.test().features()).containsExactly(3f);
  }

  @Test
  void shouldApplyConfiguredImageShape() throws IOException {
    Path train = file("train.csv", "0,1,2,3,4\n");
    Path test = file("test.csv", "1,5,6,7,8\n");

    TrainTest data =
        DatasetLoader.load(
            DataConfigs.csv(train, test, 0, 3, Normalize.NONE, DataKeys.SHAPE.is(List.of(1, 2, 2))),
            1);

    assertThat(data.train().shape()).containsExactly(1, 2, 2);
    assertThat(data.test().shape()).containsExactly(1, 2, 2);
  }

  @Test
  void shouldRejectShapeWhoseProductDiffersFromFeatureCount() throws IOException {
    Path train = file("train.csv", "0,1,2,3,4\n");
    Path test = file("test.csv", "1,5,6,7,8\n");

    assertThatThrownBy(
            () ->
                DatasetLoader.load(
                    DataConfigs.csv(
                        train, test, 0, 3, Normalize.NONE, DataKeys.SHAPE.is(List.of(1, 3, 3))),
                    1))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("data.shape = [1, 3, 3] holds 9 values")
        .hasMessageContaining("gives 4 features");
  }

  @Test
  void shouldRejectRaggedRowNamingFileAndLine() throws IOException {
    assertThatThrownBy(() -> load("0,1,2\n1,3,4\n2,5\n", "0,1,2\n", 0, Normalize.NONE))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("train.csv:3: found 2 columns, expected 3");
  }

  @Test
  void shouldRejectNonNumericCellNamingFileLineAndColumn() throws IOException {
    assertThatThrownBy(() -> load("0,1,2\n1,3,abc\n", "0,1,2\n", 0, Normalize.NONE))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("train.csv:2:3: \"abc\" is not a finite number");
  }

  @Test
  void shouldRejectHeaderLine() throws IOException {
    assertThatThrownBy(() -> load("0,1,2\n", "label,x,y\n0,1,2\n", 0, Normalize.NONE))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("test.csv:1:1: \"label\" is not an integer class label")
        .hasMessageContaining("no header");
  }

  @Test
  void shouldRejectFractionalLabel() throws IOException {
    assertThatThrownBy(() -> load("0.5,1,2\n", "0,1,2\n", 0, Normalize.NONE))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("train.csv:1:1: \"0.5\" is not an integer class label");
  }

  @Test
  void shouldRejectLabelOutOfRange() throws IOException {
    assertThatThrownBy(() -> load("0,1,2\n1,1,2\n", "0,1,2\n-1,3,4\n", 0, Normalize.NONE))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("test.csv:2:1: label -1 is outside [0, 3)");
    assertThatThrownBy(() -> load("0,1,2\n3,1,2\n", "0,1,2\n", 0, Normalize.NONE))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("train.csv:2:1: label 3 is outside [0, 3)")
        .hasMessageContaining("data.num_classes");
  }

  @Test
  void shouldRejectEmptyFile() throws IOException {
    assertThatThrownBy(() -> load("\n\n", "0,1,2\n", 0, Normalize.NONE))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("train.csv holds no examples");
  }

  @Test
  void shouldRejectLabelColumnOutsideTheRow() throws IOException {
    assertThatThrownBy(() -> load("0,1,2\n", "0,1,2\n", 3, Normalize.NONE))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("data.label_column = 3 but")
        .hasMessageContaining("train.csv has 3 columns (0..2)");
  }

  @Test
  void shouldRejectTestFileWithOtherColumnCount() throws IOException {
    assertThatThrownBy(() -> load("0,1,2\n", "0,1,2,3\n", 0, Normalize.NONE))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("has 3 columns but data.test")
        .hasMessageContaining("has 4");
  }

  @Test
  void shouldNameTheKeyWhenFileIsMissing() {
    Path missing = dir.resolve("absent.csv");

    assertThatThrownBy(
            () -> DatasetLoader.load(DataConfigs.csv(missing, missing, 0, 3, Normalize.NONE), 1))
        .isInstanceOf(DataException.class)
        .hasMessageContaining("data.train = " + missing + ": no such file");
  }
}
