package ringtrain.common.config.key;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import ringtrain.common.config.CommConfig;
import ringtrain.common.config.ConfigReader;
import ringtrain.common.config.JobConfig;
import ringtrain.common.error.ConfigException;

/** conf/reference.conf and the list of typed entries describe the same keys and defaults. */
class ConfigKeysTest {
  private static final Config REFERENCE =
      ConfigFactory.parseFile(Path.of("../conf/reference.conf").toFile()).resolve();

  private static Set<String> referenceKeys() {
    return REFERENCE.entrySet().stream()
        .map(e -> e.getKey())
        .collect(Collectors.toCollection(TreeSet::new));
  }

  @Test
  void everyKeyOfReferenceConfHasAnEntry() {
    Set<String> missing = referenceKeys();
    ConfigKeys.ALL.forEach(k -> missing.remove(k.key()));
    assertThat(missing).as("keys of reference.conf without an entry in ConfigKeys").isEmpty();
  }

  @Test
  void everyEntryIsAKeyOfReferenceConf() {
    Set<String> file = referenceKeys();
    List<String> extra = new ArrayList<>();
    ConfigKeys.ALL.stream().map(ConfigKey::key).filter(k -> !file.contains(k)).forEach(extra::add);
    assertThat(extra).as("entries of ConfigKeys missing from reference.conf").isEmpty();
  }

  @Test
  void noKeyIsListedTwice() {
    assertThat(ConfigKeys.ALL.stream().map(ConfigKey::key).distinct().count())
        .isEqualTo(ConfigKeys.ALL.size());
  }

  @Test
  void everyDefaultOfReferenceConfIsTheEntrysDefault() {
    ConfigReader file = new ConfigReader(REFERENCE);
    List<String> differ = new ArrayList<>();
    for (ConfigKey<?> key : ConfigKeys.ALL) {
      if (!REFERENCE.hasPath(key.key())) {
        continue; // reported by everyEntryIsAKeyOfReferenceConf
      }
      Object written = key.type().read(file, key.key());
      if (!written.equals(key.defaultValue())) {
        differ.add(key.key() + ": reference.conf " + written + ", entry " + key.defaultValue());
      }
    }
    assertThat(differ).as("defaults that differ").isEmpty();
  }

  @Test
  void everyEntryHasADocLineAndADefaultItsOwnChecksAccept() {
    for (ConfigKey<?> key : ConfigKeys.ALL) {
      assertThat(key.doc()).as("doc of " + key.key()).isNotBlank().doesNotContain("\n");
      acceptsDefault(key);
    }
  }

  private static <T> void acceptsDefault(ConfigKey<T> key) {
    assertThat(key.check(key.defaultValue())).isEqualTo(key.defaultValue());
  }

  @Test
  void theDefaultsOfTheEntriesMakeAValidJob() {
    JobConfig fromEntries = JobConfig.from(ConfigKeys.defaults());
    JobConfig fromFile = JobConfig.from(REFERENCE);
    assertThat(fromEntries.comm()).isEqualTo(fromFile.comm());
    assertThat(fromEntries.optim()).isEqualTo(fromFile.optim());
    assertThat(fromEntries.data()).isEqualTo(fromFile.data());
    assertThat(fromEntries.configHash()).isEqualTo(fromFile.configHash());
  }

  @Test
  void theShardEncodingChangesNoTrainedParameterSoNotTheConfigHash() {
    String base = JobConfig.from(REFERENCE).configHash();
    assertThat(JobConfig.from(with("data.shard.encoding", "float32")).configHash()).isEqualTo(base);
    assertThat(JobConfig.from(with("train.seed", "12345")).configHash()).isNotEqualTo(base);
  }

  private static Config with(String key, String value) {
    return ConfigFactory.parseString(key + " = " + value).withFallback(REFERENCE).resolve();
  }

  @Test
  void aSettingOverridesOneKeyAndIsCheckedByItsEntry() {
    CommConfig comm =
        CommConfig.of(CommKeys.TIMEOUT.is(Duration.ofMillis(1500)), CommKeys.TRANSPORT.is("ipc"));
    assertThat(comm.timeout()).isEqualTo(Duration.ofMillis(1500));
    assertThat(comm.ipc()).isTrue();
    assertThat(comm.mtu()).isEqualTo(CommConfig.defaults().mtu());
    assertThatThrownBy(() -> CommConfig.of(CommKeys.TERM_LENGTH_KB.is(3000L)))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            "comm.aeron.term_length_kb = 3000 is invalid; use a power of two from 64 to 1048576");
  }

  @Test
  void aRefusedValueIsOneLineNamingKeyValueAndWhatIsAllowed() {
    assertThatThrownBy(() -> CommKeys.IDLE.check("nap"))
        .hasMessage(
            "comm.aeron.idle = \"nap\" is not supported; use one of adaptive, sleep, backoff,"
                + " yield, busy_spin");
    assertThatThrownBy(() -> GnsKeys.EMA.check(1.0))
        .hasMessage("gns.ema = 1.0 is out of range; it must be >= 0 and < 1");
  }
}
