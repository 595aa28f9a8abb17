package ringtrain.bench.allreduce;

import java.io.OutputStreamWriter;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import ringtrain.bench.BenchCli;
import ringtrain.bench.BenchResults;
import ringtrain.bench.Medians;
import ringtrain.bench.ProcessLines;
import ringtrain.bench.netlab.NetLab;
import ringtrain.common.error.UserException;

/**
 * {@code ringtrain bench allreduce}: spawns N {@link BenchRank} processes on this machine (one
 * embedded media driver each, UDP on loopback) or on the hosts given with {@code --hosts} (through
 * a launcher such as ssh, see {@link RemoteLaunch}) or in the hosts of a network lab it brings up
 * with {@code --netlab} (one network namespace per rank, shaped links, see {@link NetLab}), prints
 * the nccl-tests table (size, count, type, time, algbw, busbw = algbw·2(N−1)/N, #wrong), the raw
 * Aeron point-to-point bandwidth of the same processes (one-way and per direction with every rank
 * sending at once), and Spark's treeAggregate of the same vector on a local Spark; writes JSON
 * under bench/results/.
 *
 * <p>Size is the bytes of the FP32 vector being reduced, for every wire type, so bf16 and fp32 rows
 * of one size reduce the same vector.
 */
@Command(
    name = "allreduce",
    mixinStandardHelpOptions = true,
    description =
        "Ring all-reduce over Aeron between rank processes: nccl-tests table, raw point-to-point"
            + " bandwidth of the same processes, Spark treeAggregate of the same vectors.")
public final class AllReduceBenchmark implements Callable<Integer> {
  /** The Spark baseline's smallest size: below it Spark's job overhead is all it measures. */
  private static final long SPARK_MIN_BYTES = 1L << 20;

  @Option(
      names = "--world",
      description = "Rank processes N (default 2, or one per --hosts entry).")
  Integer world;

  @Option(
      names = "--hosts",
      split = ",",
      paramLabel = "HOST",
      description =
          "Host of each rank, comma separated (default: N ranks on this machine over loopback)."
              + " Each rank binds its Aeron subscription to its host's address; ranks on other"
              + " hosts start through --launcher and need ringtrain and Java at the same paths.")
  List<String> hosts;

  @Option(
      names = "--launcher",
      description =
          "Command that runs a rank on another host; {host} is replaced and the rank's shell"
              + " command appended as one argument (default: ${DEFAULT-VALUE}).")
  String launcher = "ssh -o BatchMode=yes {host}";

  @Option(
      names = "--netlab",
      paramLabel = "N,RATE[,LOSS]",
      description =
          "Run each rank in its own host of a network lab (deploy/bin/netlab, needs root): N"
              + " hosts on one bridge, every link shaped to RATE per direction (tc rate, e.g."
              + " 1gbit), LOSS %% random UDP loss at every host; the table adds busbw / link"
              + " rate. The lab (prefix rtb, 198.18.1.0/24) is removed at the end.")
  String netlab;

  /** The lab of a --netlab run, while it runs. */
  private NetLab lab;

  @Option(names = "--min", description = "Smallest size in bytes (default ${DEFAULT-VALUE}).")
  long min = 1024;

  @Option(names = "--max", description = "Largest size in bytes (default ${DEFAULT-VALUE}).")
  long max = 256L << 20;

  @Option(
      names = "--dtype",
      description = "Wire types, comma separated: fp32, bf16, fp16 (default ${DEFAULT-VALUE}).")
  String dtypes = "fp32,bf16";

  @Option(
      names = "--spark-max",
      description =
          "Largest size of the Spark treeAggregate baseline; below 1 MiB skips it (default"
              + " ${DEFAULT-VALUE}).")
  long sparkMax = 64L << 20;

  @Option(
      names = "--iters",
      description = "Timed iterations per size; 0 = 5 to 40 by size (default ${DEFAULT-VALUE}).")
  int iterations = 0;

  @Option(
      names = "--warmup",
      description = "Untimed all-reduces per size and type (default ${DEFAULT-VALUE}).")
  int warmup = 3;

  @Option(
      names = "--aeron",
      paramLabel = "KEY=VALUE,...",
      description =
          "comm.aeron settings of the ranks: idle, threading, term_kb, mtu, socket_kb, dir,"
              + " transport (udp|ipc), window_kb, linger_us; default conf/reference.conf.")
  String aeron = "";

  @Option(
      names = "--rank-java-opts",
      paramLabel = "OPTS",
      description =
          "Extra JVM options of every rank process, space separated (e.g. a profiler's"
              + " -XX:+DumpPerfMapAtExit or -XX:StartFlightRecording).")
  String rankJavaOpts = "";

  @Option(names = "--results", description = "Directory for the JSON result.")
  Path results = resultsDir();

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the benchmark; returns the exit code (0 done, 2 bad arguments, 1 failure). */
  public static int run(String[] args) {
    return BenchCli.execute(new AllReduceBenchmark(), args);
  }

  @Override
  public Integer call() throws Exception {
    NetLab.Spec labSpec = null;
    if (netlab != null) {
      if (hosts != null) {
        throw new UserException("--netlab brings its own hosts; leave out --hosts");
      }
      labSpec = NetLab.Spec.parse(netlab);
      if (world != null && world != labSpec.hosts()) {
        throw new UserException(
            "--world " + world + " differs from the " + labSpec.hosts() + " hosts of --netlab");
      }
      world = labSpec.hosts();
    }
    int n = world != null ? world : hosts != null ? hosts.size() : 2;
    if (hosts != null && hosts.size() != n) {
      throw new UserException(
          "--hosts names "
              + hosts.size()
              + " hosts for --world "
              + n
              + "; give one host per rank (a host may repeat)");
    }
    if (n < 2 || min < 4 || max < min || max > (1L << 30) || iterations < 0 || warmup < 0) {
      throw new UserException(
          "--world must be >= 2, 4 <= --min <= --max <= 1 GiB, --iters and --warmup >= 0");
    }
    for (String d : dtypes.split(",")) {
      if (!List.of("fp32", "bf16", "fp16").contains(d)) {
        throw new UserException("--dtype " + d + " is not a wire type; use fp32, bf16 or fp16");
      }
    }
    try {
      BenchRank.fromAeronFlag(aeron.isEmpty() ? "-" : aeron);
    } catch (RuntimeException e) {
      throw new UserException("--aeron " + aeron + ": " + e.getMessage());
    }
    if ((hosts != null && hosts.stream().distinct().count() > 1 || labSpec != null)
        && aeron.contains("transport=ipc")) {
      throw new UserException("--aeron transport=ipc needs every rank on one host; use udp");
    }
    if (labSpec == null) {
      return execute(n);
    }
    try (NetLab l = NetLab.up("rtb", 1, labSpec)) {
      lab = l;
      hosts = l.addresses();
      launcher = l.launcher();
      return execute(n);
    } finally {
      lab = null;
    }
  }

  private int execute(int world) throws Exception {
    long p2pBytes = Math.max(64L << 20, Math.min(max, 256L << 20));
    List<Process> ranks = new ArrayList<>();
    List<BlockingQueue<String>> out = new ArrayList<>();
    Map<String, Object> json = new LinkedHashMap<>();
    List<Map<String, Object>> rows = new ArrayList<>();
    try {
      for (int r = 0; r < world; r++) {
        String host = hosts == null ? null : hosts.get(r);
        String overrides = aeron;
        if (host != null) {
          overrides += (overrides.isEmpty() ? "" : ",") + "bind_host=" + host;
        }
        List<String> cmd = javaCommand();
        cmd.addAll(
            List.of(
                String.valueOf(r),
                String.valueOf(world),
                String.valueOf(min),
                String.valueOf(max),
                dtypes,
                String.valueOf(p2pBytes),
                overrides.isEmpty() ? "-" : overrides,
                String.valueOf(iterations),
                String.valueOf(warmup)));
        if (host != null && !isThisMachine(host)) {
          cmd = RemoteLaunch.command(launcher, host, cmd);
        }
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        ranks.add(p);
        out.add(ProcessLines.drain(p, "bench-rank-" + r));
      }
      List<String> endpoints = new ArrayList<>();
      for (int r = 0; r < world; r++) {
        endpoints.add(next(out.get(r), "ENDPOINT ").substring("ENDPOINT ".length()));
      }
      for (Process p : ranks) {
        Writer w = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8);
        w.write("ENDPOINTS " + String.join(",", endpoints) + "\n");
        w.flush();
      }
      double[] oneWays = new double[2 * BenchRank.P2P_REPEATS];
      double[] boths = new double[2 * BenchRank.P2P_REPEATS];
      readLinks(out, world, oneWays, boths, 0);
      System.out.printf("# world %d, %s%n", world, describeTransport());
      double linkGbs = lab == null ? Double.NaN : lab.spec().rateBytesPerSecond() / 1e9;
      System.out.printf(
          "%12s %12s %6s %12s %8s %8s %8s%s%n",
          "size",
          "count",
          "type",
          "time(us)",
          "algbw",
          "busbw",
          "#wrong",
          lab == null ? "" : String.format("  %10s", "busbw/link"));
      int types = dtypes.split(",").length;
      int sizes = 0;
      for (long b = min; b <= max; b *= 2) {
        sizes++;
      }
      for (int i = 0; i < types * sizes; i++) {
        String[] f = next(out.get(0), "ROW ").split(" ");
        long wrong = Long.parseLong(f[5]);
        double streamNanos = Double.parseDouble(f[6]);
        double[] cpuMs = new double[4]; // per rank: ring, rest of process; stream: ring, rest
        for (int c = 0; c < 4; c++) {
          cpuMs[c] += Double.parseDouble(f[7 + c]) / world;
        }
        for (int r = 1; r < world; r++) {
          String[] other = next(out.get(r), "ROW ").split(" ");
          wrong += Long.parseLong(other[5]);
          streamNanos = Math.max(streamNanos, Double.parseDouble(other[6])); // the slowest rank
          for (int c = 0; c < 4; c++) {
            cpuMs[c] += Double.parseDouble(other[7 + c]) / world;
          }
        }
        long bytes = Long.parseLong(f[2]);
        double micros = Double.parseDouble(f[4]);
        double algbw = bytes / (micros * 1e3);
        double busbw = algbw * 2 * (world - 1) / world;
        System.out.printf(
            "%12d %12s %6s %12.1f %8.3f %8.3f %8d%s%n",
            bytes,
            f[3],
            f[1].toLowerCase(),
            micros,
            algbw,
            busbw,
            wrong,
            lab == null ? "" : String.format("  %10.3f", busbw / linkGbs));
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("bytes", bytes);
        row.put("count", Long.parseLong(f[3]));
        row.put("type", f[1].toLowerCase());
        row.put("time_us", micros);
        row.put("algbw_gbs", algbw);
        row.put("busbw_gbs", busbw);
        row.put("wrong", wrong);
        if (lab != null) {
          row.put("busbw_over_link", busbw / linkGbs);
        }
        row.put("cpu_ms_per_rank_ring_thread", cpuMs[0]);
        row.put("cpu_ms_per_rank_rest_of_process", cpuMs[1]);
        if (streamNanos > 0) {
          row.put("p2p_bidirectional_same_size_gbs", bytes / streamNanos);
          row.put("p2p_cpu_ms_per_rank_ring_thread", cpuMs[2]);
          row.put("p2p_cpu_ms_per_rank_rest_of_process", cpuMs[3]);
        }
        rows.add(row);
      }
      readLinks(out, world, oneWays, boths, BenchRank.P2P_REPEATS);
      for (int r = 0; r < world; r++) {
        next(out.get(r), "DONE");
        ranks.get(r).waitFor(30, TimeUnit.SECONDS);
      }
      double oneWay = Medians.of(oneWays);
      double both = Medians.of(boths);
      System.out.printf(
          "# Aeron point-to-point, %d MiB streams, median of %d before and after the sweep:"
              + " one-way %.3f GB/s, bidirectional %.3f GB/s per direction%n",
          p2pBytes >> 20, oneWays.length, oneWay, both);
      json.put("world", world);
      json.put("transport", describeTransport());
      json.put("hosts", hosts == null ? List.of() : hosts);
      if (lab != null) {
        json.put("netlab_rate", lab.spec().rate());
        json.put("netlab_link_gbs", linkGbs);
        json.put("netlab_loss_pct", lab.spec().lossPct());
        String qdisc = System.getenv("NETLAB_QDISC");
        json.put("netlab_qdisc", qdisc == null || qdisc.isBlank() ? "fifo" : qdisc);
        json.put("netlab_dropped_datagrams", lab.dropped());
        json.put("p2p_oneway_over_link", Medians.of(oneWays) / linkGbs);
      }
      json.put("endpoints", endpoints);
      json.put("cores", Runtime.getRuntime().availableProcessors());
      json.put("aeron_overrides", aeron);
      json.put("p2p_bytes", p2pBytes);
      json.put("p2p_oneway_gbs", oneWay);
      json.put("p2p_bidirectional_per_direction_gbs", both);
      json.put("p2p_oneway_gbs_runs", oneWays);
      json.put("p2p_bidirectional_per_direction_gbs_runs", boths);
      json.put(
          "statistic",
          "median over timed iterations (each after a barrier; the types round-robin within each"
              + " size, followed from 16 MiB on by a bidirectional raw stream of the same size)"
              + " and over p2p repeats");
      json.put("iterations", iterations == 0 ? "5-40 by size" : iterations);
      json.put("warmup", warmup);
      json.put(
          "jit_warmup",
          BenchRank.JIT_WARMUP_OPS
              + " all-reduces of "
              + (BenchRank.JIT_WARMUP_BYTES >> 10)
              + " KiB per type before the sweep");
      json.put("allreduce", rows);
      json.put("ratios", ratios(rows, both, linkGbs));
      printCpu(rows);
    } finally {
      for (Process p : ranks) {
        p.destroyForcibly();
      }
    }
    if (sparkMax >= SPARK_MIN_BYTES) {
      json.put("tree_aggregate", sparkBaseline(world, min, Math.min(max, sparkMax), rows));
    }
    BenchResults.write(results, "allreduce", json);
    return 0;
  }

  /**
   * Reads one block of {@link BenchRank#P2P_REPEATS} raw stream results into {@code oneWays} and
   * {@code boths} from {@code at}: GB/s one-way (rank 1 receiving) and per direction with every
   * rank sending at once (the slowest rank of each repeat).
   */
  private static void readLinks(
      List<BlockingQueue<String>> out, int world, double[] oneWays, double[] boths, int at)
      throws InterruptedException {
    for (int repeat = at; repeat < at + BenchRank.P2P_REPEATS; repeat++) {
      String[] ow = next(out.get(1), "P2P oneway ").split(" ");
      oneWays[repeat] = Double.parseDouble(ow[2]) / Double.parseDouble(ow[3]);
      double slowest = Double.MAX_VALUE;
      for (int r = 0; r < world; r++) {
        String[] bd = next(out.get(r), "P2P bidirectional ").split(" ");
        slowest = Math.min(slowest, Double.parseDouble(bd[2]) / Double.parseDouble(bd[3]));
      }
      boths[repeat] = slowest;
    }
  }

  /**
   * For fp32 rows >= 16 MiB: busbw over the bidirectional p2p bandwidth per direction of a stream
   * of the same size measured between the row's iterations, and over {@code p2p} (the streams
   * before and after the sweep); and the bf16 row's time over the fp32 row's (measured
   * round-robin).
   */
  private static List<Map<String, Object>> ratios(
      List<Map<String, Object>> rows, double p2p, double linkGbs) {
    List<Map<String, Object>> result = new ArrayList<>();
    System.out.printf(
        "# sizes >= 16 MiB: busbw / bidirectional p2p of the same size (interleaved),"
            + " busbw / p2p before and after the sweep, bf16 time / fp32 time%s%n",
        Double.isNaN(linkGbs) ? "" : ", busbw / link rate");
    for (Map<String, Object> row : rows) {
      long bytes = (long) row.get("bytes");
      if (!row.get("type").equals("fp32") || bytes < (16L << 20)) {
        continue;
      }
      double busbw = (double) row.get("busbw_gbs");
      double pairedRatio =
          row.containsKey("p2p_bidirectional_same_size_gbs")
              ? busbw / (double) row.get("p2p_bidirectional_same_size_gbs")
              : Double.NaN;
      double busRatio = busbw / p2p;
      double bf16Ratio = Double.NaN;
      for (Map<String, Object> other : rows) {
        if (other.get("type").equals("bf16") && (long) other.get("bytes") == bytes) {
          bf16Ratio = (double) other.get("time_us") / (double) row.get("time_us");
        }
      }
      System.out.printf(
          "%12d   busbw/p2p %.2f (sweep p2p %.2f)   bf16/fp32 time %.2f%s%n",
          bytes,
          pairedRatio,
          busRatio,
          bf16Ratio,
          Double.isNaN(linkGbs) ? "" : String.format("   busbw/link %.2f", busbw / linkGbs));
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("bytes", bytes);
      r.put("busbw_over_p2p_bidirectional_same_size", pairedRatio);
      r.put("busbw_over_p2p_bidirectional", busRatio);
      r.put("bf16_time_over_fp32", bf16Ratio);
      if (!Double.isNaN(linkGbs)) {
        r.put("busbw_over_link", busbw / linkGbs);
      }
      result.add(r);
    }
    return result;
  }

  /**
   * Where the CPU goes, for rows >= 16 MiB: milliseconds per rank and operation of the ring thread
   * and of the rest of the rank process (the media driver), for each type and the raw stream.
   */
  private static void printCpu(List<Map<String, Object>> rows) {
    System.out.printf(
        "# CPU ms per rank and operation, ring thread + rest of the process (media driver)%n");
    for (Map<String, Object> row : rows) {
      if ((long) row.get("bytes") < (16L << 20)) {
        continue;
      }
      StringBuilder line =
          new StringBuilder(
              String.format(
                  "%12d %6s %7.1f + %7.1f",
                  (long) row.get("bytes"),
                  row.get("type"),
                  (double) row.get("cpu_ms_per_rank_ring_thread"),
                  (double) row.get("cpu_ms_per_rank_rest_of_process")));
      if (row.get("type").equals("fp32") && row.containsKey("p2p_cpu_ms_per_rank_ring_thread")) {
        line.append(
            String.format(
                "   raw stream %7.1f + %7.1f",
                (double) row.get("p2p_cpu_ms_per_rank_ring_thread"),
                (double) row.get("p2p_cpu_ms_per_rank_rest_of_process")));
      }
      System.out.println(line);
    }
  }

  private static List<Map<String, Object>> sparkBaseline(
      int world, long min, long max, List<Map<String, Object>> rows) {
    List<Map<String, Object>> result = new ArrayList<>();
    System.out.printf("# Spark treeAggregate, local[%d], same vectors%n", world);
    System.out.printf("%12s %14s %14s %10s%n", "size", "spark(us)", "ring fp32(us)", "speedup");
    try (TreeAggregateBaseline spark = new TreeAggregateBaseline(world)) {
      for (long bytes = Math.max(min, SPARK_MIN_BYTES); bytes <= max; bytes *= 4) {
        double sparkMicros = spark.seconds((int) (bytes / 4)) * 1e6;
        double ringMicros = Double.NaN;
        for (Map<String, Object> row : rows) {
          if (row.get("type").equals("fp32") && (long) row.get("bytes") == bytes) {
            ringMicros = (double) row.get("time_us");
          }
        }
        System.out.printf(
            "%12d %14.1f %14.1f %10.1f%n",
            bytes, sparkMicros, ringMicros, sparkMicros / ringMicros);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("bytes", bytes);
        r.put("time_us", sparkMicros);
        r.put("ring_fp32_time_us", ringMicros);
        r.put("speedup", sparkMicros / ringMicros);
        result.add(r);
      }
    }
    return result;
  }

  /** aeron:ipc, UDP on loopback, or UDP between the given hosts. */
  private String describeTransport() {
    if (aeron.contains("transport=ipc")) {
      return "aeron:ipc, one media driver shared by the rank processes";
    }
    if (lab != null) {
      return String.format(
          Locale.ROOT,
          "UDP between netlab hosts %s (one network namespace each), links %s per direction"
              + " (%.3f GB/s), %.2f %% random UDP loss per host, one embedded media driver per"
              + " rank",
          String.join(",", hosts),
          lab.spec().rate(),
          lab.spec().rateBytesPerSecond() / 1e9,
          lab.spec().lossPct());
    }
    if (hosts != null && hosts.stream().anyMatch(h -> !isThisMachine(h))) {
      return "UDP between " + String.join(",", hosts) + ", one embedded media driver per rank";
    }
    return "UDP loopback, one embedded media driver per rank process";
  }

  /**
   * Whether a rank on {@code host} is started here rather than through the launcher: localhost,
   * 127.0.0.1, ::1, and this machine's own name and address. (Other loopback addresses such as
   * 127.0.0.2 go through the launcher, which is how the benchmark's test runs it without ssh.)
   */
  static boolean isThisMachine(String host) {
    if (host.equals("localhost") || host.equals("127.0.0.1") || host.equals("::1")) {
      return true;
    }
    try {
      InetAddress self = InetAddress.getLocalHost();
      return host.equalsIgnoreCase(self.getHostName())
          || host.equalsIgnoreCase(self.getCanonicalHostName())
          || host.equals(self.getHostAddress());
    } catch (UnknownHostException e) {
      return false;
    }
  }

  private static Path resultsDir() {
    return Files.isDirectory(Path.of("bench")) ? Path.of("bench", "results") : Path.of("results");
  }

  private List<String> javaCommand() {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of("-Xmx512m", "-XX:MaxDirectMemorySize=1g", "-XX:+UseSerialGC"));
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (arg.startsWith("--add-opens")
          || arg.startsWith("--add-exports")
          || arg.startsWith("--add-modules")) {
        cmd.add(arg);
      }
    }
    if (cmd.stream().noneMatch(a -> a.contains("jdk.internal.misc"))) {
      cmd.add("--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED");
    }
    if (!rankJavaOpts.isBlank()) {
      cmd.addAll(List.of(rankJavaOpts.trim().split("\\s+")));
    }
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), BenchRank.class.getName()));
    return cmd;
  }

  private static String next(BlockingQueue<String> q, String prefix) throws InterruptedException {
    while (true) {
      String line = q.poll(600, TimeUnit.SECONDS);
      if (line == null || line.equals("EXIT")) {
        throw new IllegalStateException("a rank process ended or hung before '" + prefix + "'");
      }
      if (line.startsWith(prefix)) {
        return line;
      }
    }
  }
}
