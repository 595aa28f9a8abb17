package ringtrain.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.ConfigFactory;
import java.io.File;
import org.junit.jupiter.api.Test;
import ringtrain.common.error.ConfigException;

class SnapshotConfigTest {
  private static SnapshotConfig read(String overrides) {
    return SnapshotConfig.from(
        new ConfigReader(
            ConfigFactory.parseString(overrides)
                .withFallback(ConfigFactory.parseFile(new File("../conf/reference.conf")))
                .resolve()));
  }

  @Test
  void shouldKeepHadoopUrisAndTurnFileUrisIntoPaths() {
    assertThat(read("snapshot.dir = \"hdfs://namenode:8020/ckpt\"").dir())
        .isEqualTo("hdfs://namenode:8020/ckpt");
    assertThat(read("snapshot.dir = \"s3a://bucket/runs/ckpt\"").dir())
        .isEqualTo("s3a://bucket/runs/ckpt");
    assertThat(read("snapshot.dir = \"file:///srv/ckpt\"").dir()).isEqualTo("/srv/ckpt");
    assertThat(read("snapshot.dir = \"\"").dir()).isEmpty();
  }

  @Test
  void shouldRejectAUriThatDoesNotParse() {
    assertThatThrownBy(() -> read("snapshot.dir = \"hdfs://name node/ckpt\""))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("snapshot.dir")
        .hasMessageContaining("not a valid URI");
  }

  @Test
  void shouldReadHadoopSettingsAsKeyValueStrings() {
    SnapshotConfig c =
        read(
            "snapshot.hadoop = [\"fs.s3a.endpoint=http://127.0.0.1:9000\","
                + " \"fs.s3a.path.style.access = true\"]");
    assertThat(c.hadoop())
        .containsExactly(
            java.util.Map.entry("fs.s3a.endpoint", "http://127.0.0.1:9000"),
            java.util.Map.entry("fs.s3a.path.style.access", "true"));
    assertThat(read("").hadoop()).isEmpty();
  }

  @Test
  void shouldRejectAHadoopSettingWithoutEquals() {
    assertThatThrownBy(() -> read("snapshot.hadoop = [\"fs.s3a.endpoint\"]"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("snapshot.hadoop")
        .hasMessageContaining("key=value");
  }
}
