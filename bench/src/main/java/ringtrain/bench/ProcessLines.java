package ringtrain.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The standard output of a rank process as a queue of lines, read on a daemon thread: a line {@code
 * ERROR …} if reading failed, then {@code EXIT} when the stream ended.
 */
public final class ProcessLines {
  private ProcessLines() {}

  /** Starts reading {@code p}'s output on a thread named {@code threadName}. */
  public static BlockingQueue<String> drain(Process p, String threadName) {
    BlockingQueue<String> q = new LinkedBlockingQueue<>();
    Thread t =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(
                      new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String l = in.readLine(); l != null; l = in.readLine()) {
                  q.add(l);
                }
              } catch (IOException e) {
                q.add("ERROR " + e);
              }
              q.add("EXIT");
            },
            threadName);
    t.setDaemon(true);
    t.start();
    return q;
  }
}
