package ringtrain.driver.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

/**
 * The executors run the ring, so they get the Vector API (the codec's SIMD kernels) and Aeron's JVM
 * flags whatever the driver's JVM was started with; the launcher leaves the Vector API out of the
 * driver's own JVM for train and eval, which never run the ring.
 */
class ExecutorJavaOptionsTest {
  @Test
  void shouldGiveExecutorsTheVectorApiAndAeronsFlagsBesideTheUsersOwn() {
    SparkConf conf = new SparkConf(false).set("spark.executor.extraJavaOptions", "-Dmine=1");
    // The driver's JVM as deploy/bin/ringtrain starts it for train: no --add-modules of its own.
    String options =
        SparkLauncher.executorJavaOptions(
            conf, List.of("-Xmx4g", "--add-opens=java.base/java.nio=ALL-UNNAMED"));
    assertThat(options.split(" "))
        .startsWith("-Dmine=1")
        .contains(
            "--add-modules=jdk.incubator.vector",
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED")
        .doesNotHaveDuplicates();
  }

  @Test
  void shouldDeriveSparksHeartbeatDeadlineFromCommTimeout() {
    SparkConf conf = new SparkConf(false);
    SparkLauncher.heartbeatDeadlines(conf, Duration.ofSeconds(10));
    // comm.timeout plus half of it after the stop, however late in an interval the last beat came:
    // the ring's own error comes first, Spark's loss soon after.
    assertThat(conf.get("spark.storage.blockManagerHeartbeatTimeoutMs")).isEqualTo("18750ms");
    assertThat(conf.get("spark.executor.heartbeatInterval")).isEqualTo("3750ms");
    assertThat(conf.get("spark.network.timeoutInterval")).isEqualTo("3750ms");
  }
}
