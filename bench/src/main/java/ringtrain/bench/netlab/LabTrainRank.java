package ringtrain.bench.netlab;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import ringtrain.common.config.CommConfig;
import ringtrain.common.config.ConfigReader;
import ringtrain.common.config.JobConfig;
import ringtrain.common.config.key.CommKeys;
import ringtrain.common.config.key.ConfigKeys;
import ringtrain.common.metrics.MetricsSink;
import ringtrain.driver.config.ConfigLoader;
import ringtrain.worker.comm.AeronRing;
import ringtrain.worker.comm.Collective;
import ringtrain.worker.comm.InProcessCollective;
import ringtrain.worker.comm.RingJob;
import ringtrain.worker.data.DatasetLoader;
import ringtrain.worker.data.TrainTest;
import ringtrain.worker.loop.TrainingLoop;
import ringtrain.worker.loop.TrainingPlan;

/**
 * One rank of a training benchmark over the network lab, a process inside its lab host: it binds
 * the Aeron ring to its host's address (world 1: no ring), prints {@code ENDPOINT host:port}, reads
 * {@code ENDPOINTS e0,e1,...}, and then follows commands on stdin:
 *
 * <ul>
 *   <li>{@code LOOP name k=v ...}: a training loop of the job with these overrides on top of the
 *       base ones (same data, same ring; loops of one process share the ring in command order);
 *   <li>{@code RUN name n}: n optimizer steps of that loop, then {@code RAN name step compute comm
 *       overlap}, this rank's mean milliseconds per step;
 *   <li>{@code QUIT}.
 * </ul>
 *
 * <p>args: rank world bindHost confFileOr- override...
 */
public final class LabTrainRank {
  private LabTrainRank() {}

  public static void main(String[] args) {
    try {
      serve(args);
    } catch (Exception | Error e) {
      e.printStackTrace();
      System.out.println("ERROR " + String.valueOf(e.getMessage()).replace('\n', ' '));
      System.out.flush();
      System.exit(3);
    }
    System.exit(0); // ND4J's and Aeron's non-daemon threads would keep the process alive
  }

  private static void serve(String[] args) throws Exception {
    int rank = Integer.parseInt(args[0]);
    int world = Integer.parseInt(args[1]);
    String host = args[2];
    Path conf = args[3].equals("-") ? null : Path.of(args[3]);
    List<String> base = new ArrayList<>(Arrays.asList(args).subList(4, args.length));
    JobConfig baseJob = JobConfig.from(ConfigLoader.load(conf, base));
    TrainTest data = DatasetLoader.load(baseJob.data(), baseJob.train().seed());
    CommConfig comm =
        CommConfig.from(
            new ConfigReader(
                ConfigKeys.with(ConfigLoader.load(conf, base), CommKeys.BIND_HOST.is(host))));
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    Collective ring;
    if (world == 1) {
      ring = InProcessCollective.group(1, comm.timeout()).get(0);
      System.out.println("ENDPOINT -");
      System.out.flush();
      in.readLine();
    } else {
      AeronRing aeron = AeronRing.bind(comm, new RingJob(11, 0, rank, world), "labtrain", 0);
      System.out.println("ENDPOINT " + aeron.localEndpoint());
      System.out.flush();
      String line = in.readLine();
      aeron.connect(Arrays.asList(line.substring("ENDPOINTS ".length()).split(",")));
      ring = aeron;
    }
    Map<String, TrainingLoop> loops = new HashMap<>();
    Map<String, Long> nextStep = new HashMap<>();
    try {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        String[] f = line.trim().split("\\s+");
        switch (f[0]) {
          case "LOOP" -> {
            List<String> overrides = new ArrayList<>(base);
            overrides.addAll(Arrays.asList(f).subList(2, f.length));
            JobConfig job = JobConfig.from(ConfigLoader.load(conf, overrides));
            TrainingPlan plan = TrainingPlan.of(job, data.train().size());
            loops.put(f[1], new TrainingLoop(job, plan, data, ring, MetricsSink.NONE, null));
            nextStep.put(f[1], 0L);
          }
          case "RUN" -> {
            TrainingLoop loop = loops.get(f[1]);
            int n = Integer.parseInt(f[2]);
            double[] sum = new double[4];
            long first = nextStep.get(f[1]);
            for (long s = first; s < first + n; s++) {
              TrainingLoop.StepOutcome o = loop.step(s);
              sum[0] += o.stepNanos() / 1e6 / n;
              sum[1] += o.computeNanos() / 1e6 / n;
              sum[2] += o.commNanos() / 1e6 / n;
              sum[3] += o.overlapNanos() / 1e6 / n;
            }
            nextStep.put(f[1], first + n);
            System.out.printf(
                Locale.ROOT, "RAN %s %.3f %.3f %.3f %.3f%n", f[1], sum[0], sum[1], sum[2], sum[3]);
            System.out.flush();
          }
          case "QUIT" -> {
            return;
          }
          default -> throw new IllegalArgumentException("unknown command " + line);
        }
      }
    } finally {
      ring.close();
      System.out.println("DONE");
      System.out.flush();
    }
  }
}
