package ringtrain.driver.launch;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ringtrain.common.metrics.EvalMetrics;
import ringtrain.common.metrics.MetricsSink;
import ringtrain.common.metrics.StepMetrics;

/**
 * Rank 0's sink inside a Spark task: sends every metrics record to the driver's {@link
 * MetricsServer} as one JSON line, flushed at once. Progress reporting must never stop training: if
 * the driver cannot be reached, the failure is logged once and later records are dropped.
 */
final class MetricsStream implements MetricsSink {
  private static final Logger LOG = LoggerFactory.getLogger(MetricsStream.class);

  private final String target;
  private Socket socket;
  private Writer out;

  private MetricsStream(String target, Socket socket, Writer out) {
    this.target = target;
    this.socket = socket;
    this.out = out;
  }

  /** Connects to {@code host:port} within {@code timeout}; on failure returns a sink that drops. */
  static MetricsStream connect(String host, int port, Duration timeout) {
    String target = host + ":" + port;
    Socket socket = new Socket();
    try {
      socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
      socket.setTcpNoDelay(true);
      Writer out = new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.UTF_8);
      return new MetricsStream(target, socket, out);
    } catch (IOException e) {
      LOG.warn(
          "cannot reach the driver's metrics listener {} ({}); training goes on without live metrics",
          target,
          e.toString());
      closeQuietly(socket);
      return new MetricsStream(target, null, null);
    }
  }

  @Override
  public void onStart(long firstStep) {
    send(MetricsWire.encodeStart(firstStep));
  }

  @Override
  public void onStep(StepMetrics m) {
    send(MetricsWire.encode(m));
  }

  @Override
  public void onEval(EvalMetrics m) {
    send(MetricsWire.encode(m));
  }

  private void send(String line) {
    if (out == null) {
      return;
    }
    try {
      out.write(line);
      out.write('\n');
      out.flush();
    } catch (IOException e) {
      LOG.warn(
          "lost the metrics stream to {} ({}); training goes on without live metrics",
          target,
          e.toString());
      close();
    }
  }

  @Override
  public void close() {
    out = null;
    closeQuietly(socket);
    socket = null;
  }

  private static void closeQuietly(Socket s) {
    if (s == null) {
      return;
    }
    try {
      s.close();
    } catch (IOException e) {
      LOG.debug("closing the metrics stream: {}", e.toString());
    }
  }
}
