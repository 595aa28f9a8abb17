package ringtrain.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.io.File;
import java.util.List;
import org.junit.jupiter.api.Test;
import ringtrain.common.config.DataConfig.Format;
import ringtrain.common.config.DataConfig.Normalize;
import ringtrain.common.error.ConfigException;

class DataConfigTest {
  private static DataConfig read(String overrides) {
    return DataConfig.from(
        new ConfigReader(
            ConfigFactory.parseString(overrides)
                .withFallback(ConfigFactory.parseFile(new File("../conf/reference.conf")))
                .resolve()));
  }

  @Test
  void shouldKeepHadoopUrisRefuseMalformedOnesAndTakeFileUrisAsPaths() {
    assertThat(read("data.dir = \"s3a://bucket/fashion\"").dir()).isEqualTo("s3a://bucket/fashion");
    assertThat(
            read("data.format = csv, data.train = \"hdfs:///t.csv\", data.test = \"s3a://b/t.csv\"")
                .train())
        .isEqualTo("hdfs:///t.csv");
    assertThatThrownBy(
            () ->
                read(
                    "data.format = csv, data.train = t.csv, data.test = \"hdfs://name node/t.csv\""))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("data.test = hdfs://name node/t.csv is not a valid URI");

    assertThat(read("data.dir = \"file:///srv/fashion\"").dir()).isEqualTo("/srv/fashion");
    assertThat(read("data.dir = \"relative/dir\"").dir()).isEqualTo("relative/dir");
  }

  @Test
  void shouldReadReferenceDefaults() {
    DataConfig cfg = read("");

    assertThat(cfg.format()).isEqualTo(Format.IDX);
    assertThat(cfg.dir()).isEqualTo("/usr/share/datasets/fashion-mnist");
    assertThat(cfg.train()).isEmpty();
    assertThat(cfg.labelColumn()).isZero();
    assertThat(cfg.numClasses()).isEqualTo(10);
    assertThat(cfg.shuffle()).isTrue();
    assertThat(cfg.normalize()).isEqualTo(Normalize.AUTO);
    assertThat(cfg.shape()).isEmpty();
    assertThat(cfg.shapeOrNull()).isNull();
    assertThat(cfg.limitTrain()).isZero();
    assertThat(cfg.limitTest()).isZero();
    assertThat(cfg.synthetic()).isEqualTo(new DataConfig.Synthetic(8192, 2048, 64, 1.0));
  }

  @Test
  void shouldResolveAutoNormalizationByFormat() {
    assertThat(read("").effectiveNormalize()).isEqualTo(Normalize.SCALE);
    assertThat(read("data.format = synthetic").effectiveNormalize()).isEqualTo(Normalize.NONE);
    assertThat(read("data { format = csv, train = a.csv, test = b.csv }").effectiveNormalize())
        .isEqualTo(Normalize.NONE);
    assertThat(read("data.normalize = standard").effectiveNormalize())
        .isEqualTo(Normalize.STANDARD);
  }

  @Test
  void shouldReadImageShape() {
    DataConfig cfg = read("data { format = synthetic, shape = [1, 8, 8] }");

    assertThat(cfg.shape()).containsExactly(1, 8, 8);
    assertThat(cfg.shapeOrNull()).containsExactly(1, 8, 8);
  }

  @Test
  void shouldRejectUnknownNormalization() {
    assertThatThrownBy(() -> read("data.normalize = minmax"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("data.normalize")
        .hasMessageContaining("minmax")
        .hasMessageContaining("none, scale, standard, auto");
  }

  @Test
  void shouldRejectNegativeLimits() {
    assertThatThrownBy(() -> read("data.limit_train = -1"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("data.limit_train = -1");
    assertThatThrownBy(() -> read("data.limit_test = -5"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("data.limit_test = -5");
  }

  @Test
  void shouldRejectShapeThatIsNotChannelsHeightWidth() {
    assertThatThrownBy(() -> read("data.shape = [8, 8]"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("data.shape = [8, 8]");
    assertThatThrownBy(() -> read("data.shape = [1, 0, 8]"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("data.shape");
  }

  @Test
  void shouldRejectSyntheticShapeWhoseProductDiffersFromFeatures() {
    assertThatThrownBy(() -> read("data { format = synthetic, shape = [1, 4, 4] }"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("data.shape = [1, 4, 4] holds 16 values")
        .hasMessageContaining("data.synthetic.features gives 64");
  }

  @Test
  void shouldRequireCsvFilesWhenFormatIsCsv() {
    assertThatThrownBy(() -> read("data { format = csv, test = b.csv }"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("data.train is empty");
    assertThatThrownBy(() -> read("data { format = csv, train = a.csv }"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("data.test is empty");
  }

  @Test
  void shouldRejectUnknownFormatAndBadTypes() {
    assertThatThrownBy(() -> read("data.format = libsvm"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("data.format")
        .hasMessageContaining("idx, csv, synthetic");
    assertThatThrownBy(() -> read("data.shuffle = maybe"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("data.shuffle");
    assertThatThrownBy(() -> read("data.num_classes = 1"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("data.num_classes = 1");
    assertThatThrownBy(() -> read("data.synthetic.noise = -0.5"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("data.synthetic.noise");
  }

  @Test
  void shouldKeepShapeImmutable() {
    DataConfig cfg = read("data { format = synthetic, shape = [4, 4, 4] }");

    assertThat(cfg.shape()).isInstanceOf(List.class);
    assertThatThrownBy(() -> cfg.shape().add(1)).isInstanceOf(UnsupportedOperationException.class);
  }
}
