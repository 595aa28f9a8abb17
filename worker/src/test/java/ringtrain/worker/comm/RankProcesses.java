package ringtrain.worker.comm;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Starts {@link RankMain} processes, exchanges their endpoints and collects their output. */
final class RankProcesses implements AutoCloseable {
  final List<Process> processes = new ArrayList<>();
  final List<BlockingQueue<String>> lines = new ArrayList<>();

  static List<String> javaCommand(String mainClass, String maxHeap) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx" + maxHeap);
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-XX:MaxDirectMemorySize=1g");
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith("--add-opens")
          || arg.startsWith("--add-exports")
          || arg.startsWith("--add-modules")) {
        cmd.add(arg);
      }
    }
    cmd.add("-cp");
    cmd.add(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
    cmd.add(mainClass);
    return cmd;
  }

  RankProcesses(int n, long timeoutMs, String... scenario)
      throws IOException, InterruptedException {
    this("udp", n, timeoutMs, scenario);
  }

  /** Rank processes whose ring uses {@code transport} (udp or ipc). */
  RankProcesses(String transport, int n, long timeoutMs, String... scenario)
      throws IOException, InterruptedException {
    List<String> endpoints = new ArrayList<>();
    for (int r = 0; r < n; r++) {
      List<String> cmd = javaCommand(RankMain.class.getName(), "256m");
      cmd.addAll(List.of(String.valueOf(r), String.valueOf(n), "4242", String.valueOf(timeoutMs)));
      cmd.addAll(List.of(scenario));
      ProcessBuilder builder = new ProcessBuilder(cmd).redirectErrorStream(true);
      builder.environment().put(RankMain.TRANSPORT_ENV, transport);
      Process p = builder.start();
      processes.add(p);
      BlockingQueue<String> q = new LinkedBlockingQueue<>();
      lines.add(q);
      Thread reader =
          new Thread(
              () -> {
                try (BufferedReader in =
                    new BufferedReader(
                        new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                  for (String l = in.readLine(); l != null; l = in.readLine()) {
                    q.add(l);
                  }
                } catch (IOException e) {
                  q.add("READERROR " + e);
                }
              },
              "rank-output-" + r);
      reader.setDaemon(true);
      reader.start();
    }
    for (int r = 0; r < n; r++) {
      endpoints.add(expect(r, "ENDPOINT ", 30).substring("ENDPOINT ".length()));
    }
    for (Process p : processes) {
      Writer w = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8);
      w.write("ENDPOINTS " + String.join(",", endpoints) + "\n");
      w.flush();
    }
  }

  /** Waits for rank r's next line starting with {@code prefix}; other lines are skipped. */
  String expect(int r, String prefix, long seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    List<String> skipped = new ArrayList<>();
    while (true) {
      String l = lines.get(r).poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (l == null) {
        throw new AssertionError(
            "rank "
                + r
                + " printed no '"
                + prefix
                + "' line in "
                + seconds
                + " s; output: "
                + skipped);
      }
      if (l.startsWith(prefix)) {
        return l;
      }
      skipped.add(l);
    }
  }

  @Override
  public void close() throws InterruptedException {
    for (Process p : processes) {
      p.destroyForcibly();
    }
    for (Process p : processes) {
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
