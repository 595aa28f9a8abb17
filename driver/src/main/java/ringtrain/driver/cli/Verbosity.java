package ringtrain.driver.cli;

import java.util.List;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configurator;

/**
 * {@code --verbose}: ringtrain logs at DEBUG and the Spark loggers that conf/log4j2.xml silences
 * (their account of failures repeats ringtrain's own line) speak again at WARN.
 */
final class Verbosity {
  /** The loggers conf/log4j2.xml turns off; kept in step with it. */
  static final List<String> QUIET_LOGGERS =
      List.of(
          "org.apache.spark.scheduler.TaskSetManager",
          "org.apache.spark.scheduler.TaskSchedulerImpl",
          "org.apache.spark.scheduler.DAGScheduler",
          "org.apache.spark.scheduler.cluster",
          "org.apache.spark.deploy",
          "org.apache.spark.network.client.TransportResponseHandler",
          "org.apache.spark.network.server.TransportRequestHandler",
          "org.apache.spark.rpc.netty",
          "org.apache.spark.network.util.JavaUtils",
          "org.apache.spark.network.server.TransportChannelHandler",
          "org.apache.spark.HeartbeatReceiver");

  private Verbosity() {}

  static void apply(boolean verbose) {
    if (!verbose || !(LogManager.getContext(false) instanceof LoggerContext)) {
      return;
    }
    Configurator.setLevel("ringtrain", Level.DEBUG);
    for (String logger : QUIET_LOGGERS) {
      Configurator.setLevel(logger, Level.WARN);
    }
  }
}
