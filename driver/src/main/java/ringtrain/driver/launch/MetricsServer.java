package ringtrain.driver.launch;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ringtrain.common.metrics.MetricsSink;

/**
 * The driver's end of the live metrics stream: a TCP listener that rank 0 of every stage attempt
 * connects to; each line it sends goes to the driver's sink (progress bar, metrics.jsonl) as it
 * arrives. Connections are read on their own threads; the sink sees one call at a time.
 */
final class MetricsServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MetricsServer.class);

  private final MetricsSink sink;
  private final ServerSocket server;
  private final Thread acceptor;
  private final List<Thread> readers = new ArrayList<>();
  private final List<Socket> connections = new ArrayList<>();
  private volatile boolean closed;

  /** Listens on every interface, on a free port. */
  MetricsServer(MetricsSink sink) {
    this.sink = sink;
    try {
      this.server = new ServerSocket(0, 16, InetAddress.getByName("0.0.0.0"));
    } catch (IOException e) {
      throw new IllegalStateException("cannot open the metrics listener: " + e, e);
    }
    this.acceptor = new Thread(this::acceptLoop, "ringtrain-metrics-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() {
    return server.getLocalPort();
  }

  private void acceptLoop() {
    while (!closed) {
      try {
        Socket socket = server.accept();
        Thread reader = new Thread(() -> read(socket), "ringtrain-metrics-read");
        reader.setDaemon(true);
        synchronized (readers) {
          connections.add(socket);
          readers.add(reader);
        }
        reader.start();
      } catch (IOException e) {
        if (!closed) {
          LOG.warn("metrics listener stopped: {}", e.toString());
        }
        return;
      }
    }
  }

  private void read(Socket socket) {
    try (BufferedReader in =
        new BufferedReader(
            new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        synchronized (sink) {
          MetricsWire.decodeInto(line, sink);
        }
      }
    } catch (IOException | RuntimeException e) {
      if (!closed) {
        // A rank that dies mid-line ends its stream; the stage failure says why.
        LOG.debug(
            "metrics stream from {} ended: {}", socket.getRemoteSocketAddress(), e.toString());
      }
    }
  }

  /**
   * Waits until every stream opened so far has ended (the ranks closed them), at most {@code max}.
   */
  void awaitDrained(Duration max) throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    int joined = 0;
    while (true) {
      // Streams accepted while the earlier ones were awaited are awaited too.
      List<Thread> current;
      synchronized (readers) {
        if (joined == readers.size()) {
          return;
        }
        current = new ArrayList<>(readers.subList(joined, readers.size()));
      }
      for (Thread reader : current) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return;
        }
        reader.join(Math.max(1, left / 1_000_000));
      }
      joined += current.size();
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException e) {
      LOG.debug("closing the metrics listener: {}", e.toString());
    }
    synchronized (readers) {
      for (Socket s : connections) {
        try {
          s.close();
        } catch (IOException e) {
          LOG.debug("closing a metrics stream: {}", e.toString());
        }
      }
    }
  }
}
