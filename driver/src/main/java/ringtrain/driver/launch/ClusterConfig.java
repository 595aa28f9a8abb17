package ringtrain.driver.launch;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import ringtrain.common.config.ConfigReader;
import ringtrain.common.config.key.ClusterKeys;
import ringtrain.common.error.ConfigException;

/**
 * The {@code cluster} block: where the ranks run. Validated once in {@link #from(ConfigReader)}.
 *
 * @param master Spark master URL, or empty for "in-process unless spark-submit gave one"
 * @param registerTimeout how long to wait for enough executors before the training stage
 * @param maxAttempts attempts of the training stage (later ones resume from a snapshot)
 */
public record ClusterConfig(String master, Duration registerTimeout, int maxAttempts) {
  private static final Pattern LOCAL_CLUSTER =
      Pattern.compile("local-cluster\\[\\s*(\\d+)\\s*,\\s*(\\d+)\\s*,\\s*(\\d+)\\s*]");

  public ClusterConfig {
    master = master.trim();
    ClusterKeys.REGISTER_TIMEOUT.check(registerTimeout);
    ClusterKeys.MAX_ATTEMPTS.check(maxAttempts);
    if (master.startsWith("local-cluster") && !LOCAL_CLUSTER.matcher(master).matches()) {
      throw new ConfigException(
          "cluster.master = \""
              + master
              + "\" is not a valid local-cluster master; write local-cluster[EXECUTORS,CORES,MEMORY_MB],"
              + " e.g. local-cluster[2,1,2048]");
    }
  }

  /** Reads and validates the {@code cluster} block. */
  public static ClusterConfig from(ConfigReader r) {
    return new ClusterConfig(
        ClusterKeys.MASTER.read(r),
        ClusterKeys.REGISTER_TIMEOUT.read(r),
        ClusterKeys.MAX_ATTEMPTS.read(r));
  }

  /**
   * The master the training stage runs on: the one spark-submit passed (the {@code spark.master}
   * system property) wins, so a job file written for the embedded cluster also runs on a real one;
   * else {@code cluster.master}. Empty means in-process.
   */
  public String effectiveMaster() {
    String submitted = System.getProperty("spark.master", "").trim();
    return submitted.isEmpty() ? master : submitted;
  }

  /** The embedded cluster's shape when the master is {@code local-cluster[E,C,M]}. */
  public Optional<LocalClusterShape> localCluster() {
    Matcher m = LOCAL_CLUSTER.matcher(effectiveMaster());
    if (!m.matches()) {
      return Optional.empty();
    }
    return Optional.of(
        new LocalClusterShape(
            Integer.parseInt(m.group(1)),
            Integer.parseInt(m.group(2)),
            Integer.parseInt(m.group(3))));
  }

  /** The same settings with another master (tests, benchmarks). */
  public ClusterConfig withMaster(String newMaster) {
    return new ClusterConfig(newMaster, registerTimeout, maxAttempts);
  }

  /**
   * {@code local-cluster[executors, cores, memoryMb]}.
   *
   * @param executors executor JVMs
   * @param cores cores per executor
   * @param memoryMb heap per executor in MiB
   */
  public record LocalClusterShape(int executors, int cores, int memoryMb) {}
}
