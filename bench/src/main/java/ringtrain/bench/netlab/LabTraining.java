package ringtrain.bench.netlab;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import ringtrain.bench.ProcessLines;

/**
 * {@link LabTrainRank} processes of one job, rank r inside lab host r, joined by the Aeron ring
 * over the lab's shaped links: training loops are created and stepped on every rank at once, and
 * rank 0's mean times per step come back. Every wait has a deadline; {@link #close()} ends them.
 */
public final class LabTraining implements AutoCloseable {
  /** The longest one command (loading data, a few steps) may take on a loaded machine. */
  private static final long COMMAND_SECONDS = 900;

  private final List<Process> processes = new ArrayList<>();
  private final List<Writer> inputs = new ArrayList<>();
  private final List<BlockingQueue<String>> lines = new ArrayList<>();

  /**
   * Starts {@code world} ranks in the first hosts of {@code lab} with job file {@code conf} (null:
   * the reference settings) and {@code overrides}, and connects their ring.
   */
  public LabTraining(NetLab lab, int world, Path conf, List<String> overrides, String heap)
      throws IOException, InterruptedException {
    for (int r = 0; r < world; r++) {
      List<String> cmd = javaCommand(heap);
      cmd.addAll(
          List.of(
              String.valueOf(r),
              String.valueOf(world),
              lab.addresses().get(r),
              conf == null ? "-" : conf.toAbsolutePath().toString()));
      cmd.add("train.world_size=" + world);
      cmd.addAll(overrides);
      ProcessBuilder pb =
          new ProcessBuilder(lab.exec(r, cmd)).redirectError(ProcessBuilder.Redirect.INHERIT);
      Map<String, String> env = pb.environment();
      env.putIfAbsent("OMP_NUM_THREADS", "1");
      Process p = pb.start();
      processes.add(p);
      inputs.add(new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8));
      lines.add(ProcessLines.drain(p, "lab-train-rank-" + r));
    }
    List<String> endpoints = new ArrayList<>();
    for (int r = 0; r < world; r++) {
      endpoints.add(expect(r, "ENDPOINT ").substring("ENDPOINT ".length()));
    }
    sendAll("ENDPOINTS " + String.join(",", endpoints));
  }

  /** A training loop {@code name} on every rank: the job with {@code overrides} on top. */
  public void loop(String name, List<String> overrides) throws IOException {
    sendAll("LOOP " + name + " " + String.join(" ", overrides));
  }

  /**
   * {@code steps} steps of loop {@code name} on every rank; rank 0's mean {step, compute, comm,
   * overlap} milliseconds per step.
   */
  public double[] run(String name, int steps) throws IOException, InterruptedException {
    sendAll("RUN " + name + " " + steps);
    double[] rank0 = null;
    for (int r = 0; r < processes.size(); r++) {
      String[] f = expect(r, "RAN " + name + " ").split(" ");
      if (r == 0) {
        rank0 = new double[4];
        for (int c = 0; c < 4; c++) {
          rank0[c] = Double.parseDouble(f[2 + c]);
        }
      }
    }
    return rank0;
  }

  @Override
  public void close() throws InterruptedException {
    try {
      sendAll("QUIT");
    } catch (IOException e) {
      // a rank that already ended is stopped below
    }
    for (Process p : processes) {
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }

  private void sendAll(String command) throws IOException {
    for (Writer w : inputs) {
      w.write(command + "\n");
      w.flush();
    }
  }

  private String expect(int rank, String prefix) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(COMMAND_SECONDS);
    while (true) {
      String line = lines.get(rank).poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (line == null || line.equals("EXIT") || line.startsWith("ERROR ")) {
        throw new IllegalStateException(
            "lab rank "
                + rank
                + (line == null
                    ? " printed no '" + prefix + "' within " + COMMAND_SECONDS + " s"
                    : " ended before '" + prefix + "'" + (line.equals("EXIT") ? "" : ": " + line)));
      }
      if (line.startsWith(prefix)) {
        return line;
      }
    }
  }

  private static List<String> javaCommand(String heap) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of("-Xmx" + heap, "-XX:+UseSerialGC"));
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith("--add-opens")
          || arg.startsWith("--add-exports")
          || arg.startsWith("--add-modules")
          || arg.startsWith("-Dorg.bytedeco")) {
        cmd.add(arg);
      }
    }
    if (cmd.stream().noneMatch(a -> a.contains("jdk.internal.misc"))) {
      cmd.add("--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED");
    }
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), LabTrainRank.class.getName()));
    return cmd;
  }
}
