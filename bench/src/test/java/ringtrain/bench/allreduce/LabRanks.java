package ringtrain.bench.allreduce;

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
import ringtrain.bench.netlab.NetLab;

/**
 * {@link LabRank} processes, rank r inside lab host r: started, given each other's endpoints, and
 * read line by line with a deadline on every wait. Closing ends any that still run.
 */
final class LabRanks implements AutoCloseable {
  private final List<Process> processes = new ArrayList<>();
  private final List<BlockingQueue<String>> lines = new ArrayList<>();

  LabRanks(NetLab lab, int timeoutSeconds) throws IOException, InterruptedException {
    this(lab, timeoutSeconds, List.of());
  }

  /** Ranks with extra {@link LabRank} arguments ({@code loop}). */
  LabRanks(NetLab lab, int timeoutSeconds, List<String> extra)
      throws IOException, InterruptedException {
    int world = lab.addresses().size();
    for (int r = 0; r < world; r++) {
      List<String> cmd = javaCommand();
      cmd.addAll(
          List.of(
              String.valueOf(r),
              String.valueOf(world),
              lab.addresses().get(r),
              String.valueOf(timeoutSeconds)));
      cmd.addAll(extra);
      Process p = new ProcessBuilder(lab.exec(r, cmd)).redirectErrorStream(true).start();
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
                q.add("EXIT");
              },
              "lab-rank-" + r);
      reader.setDaemon(true);
      reader.start();
    }
    rendezvous();
  }

  /** Reads every rank's {@code ENDPOINT} line and gives all of them to every rank. */
  void rendezvous() throws IOException, InterruptedException {
    List<String> endpoints = new ArrayList<>();
    for (int r = 0; r < processes.size(); r++) {
      endpoints.add(expect(r, "ENDPOINT ", 60).substring("ENDPOINT ".length()));
    }
    for (Process p : processes) {
      Writer w = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8);
      w.write("ENDPOINTS " + String.join(",", endpoints) + "\n");
      w.flush();
    }
  }

  /**
   * The next line of rank {@code rank} that starts with {@code prefix}, skipping others; fails
   * after {@code seconds} or when the process ends first, with what it printed.
   */
  String expect(int rank, String prefix, long seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    StringBuilder seen = new StringBuilder();
    while (true) {
      String line = lines.get(rank).poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (line == null || line.equals("EXIT")) {
        throw new AssertionError(
            "rank "
                + rank
                + (line == null ? " printed no '" : " ended before '")
                + prefix
                + "' within "
                + seconds
                + " s; its output:\n"
                + seen);
      }
      if (line.startsWith(prefix)) {
        return line;
      }
      seen.append(line).append('\n');
    }
  }

  /** Waits up to {@code seconds} for every rank to exit; returns their exit codes. */
  List<Integer> await(long seconds) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    List<Integer> codes = new ArrayList<>();
    for (Process p : processes) {
      if (!p.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
        throw new AssertionError("a rank process did not exit within " + seconds + " s");
      }
      codes.add(p.exitValue());
    }
    return codes;
  }

  @Override
  public void close() {
    for (Process p : processes) {
      p.destroyForcibly();
    }
  }

  private static List<String> javaCommand() {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of("-Xmx512m", "-XX:MaxDirectMemorySize=512m", "-XX:+UseSerialGC"));
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith("--add-opens") || arg.startsWith("--add-exports")) {
        cmd.add(arg);
      }
    }
    cmd.add("-cp");
    cmd.add(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
    cmd.add(LabRank.class.getName());
    return cmd;
  }
}
