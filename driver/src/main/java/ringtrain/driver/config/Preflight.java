package ringtrain.driver.config;

import com.typesafe.config.Config;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import ringtrain.common.config.DataConfig;
import ringtrain.common.config.JobConfig;
import ringtrain.common.config.LocalPaths;
import ringtrain.common.config.ModelConfig;
import ringtrain.common.error.ConfigException;
import ringtrain.driver.launch.ClusterConfig;
import ringtrain.worker.data.TrainTest;
import ringtrain.worker.loop.TrainingPlan;
import ringtrain.worker.model.NetworkFactory;
import ringtrain.worker.schedule.LrSchedules;

/**
 * Everything about a run that can be checked from the configuration, the data and the cluster's
 * address before the run directory is created: a mistake found here costs the user one line and
 * leaves nothing behind, while the same mistake found by a rank would come after config.conf,
 * plan.txt and metrics.jsonl were written.
 */
public final class Preflight {
  /** Bytes a rank holds per parameter: FP32 weights, gradients and two optimizer moments. */
  static final long RANK_BYTES_PER_PARAM = 4L * 4;

  /** Bytes the driver holds per parameter: the result it collects and the model it saves. */
  static final long DRIVER_BYTES_PER_PARAM = 4L * 3;

  /**
   * A peak learning rate above this is a typing mistake (LARS, the largest user, tunes ~10-30); far
   * above it the schedule's arithmetic reaches infinity.
   */
  static final double MAX_PEAK_LR = 1e4;

  private static final Pattern LOCAL = Pattern.compile("local(?:\\[\\s*(\\d+|\\*)\\s*(?:,.*)?])?");
  private static final Pattern SPARK = Pattern.compile("spark://(.+)");

  private Preflight() {}

  /**
   * Runs every check; throws a {@link ConfigException} naming the key and the fix for the first
   * that fails.
   *
   * @param resolved the resolved configuration (to tell keys the user set from defaults)
   */
  public static void check(
      Config resolved, JobConfig job, ClusterConfig cluster, TrainTest data, TrainingPlan plan) {
    checkDataKeys(resolved, job.data());
    long params = checkModel(job, data);
    checkMemory(job, cluster, params);
    checkSchedule(resolved, job, plan);
    checkSnapshotDir(job.snapshot().dir());
    checkBindHost(job, cluster);
    checkCluster(job, cluster);
  }

  /**
   * The checks that need neither data nor plan (snapshot directory, bind host, the master's slots
   * and reachability): made before a Spark context is started to read sharded data.
   */
  public static void checkWithoutData(JobConfig job, ClusterConfig cluster) {
    checkSnapshotDir(job.snapshot().dir());
    checkBindHost(job, cluster);
    checkCluster(job, cluster);
  }

  /** Keys of one data format set while another is in use: the user meant something else. */
  static void checkDataKeys(Config resolved, DataConfig data) {
    if (data.format() == DataConfig.Format.IDX) {
      for (String key : List.of("data.train", "data.test")) {
        if (!resolved.getString(key).isBlank()) {
          throw new ConfigException(
              key
                  + " is set but data.format = idx reads the four IDX files in data.dir; remove "
                  + key
                  + ", or set data.format = csv to train on CSV files");
        }
      }
    }
  }

  /**
   * Builds the network's configuration (no parameters are allocated) for the data's shape, which
   * checks model against data, and returns the number of parameters.
   */
  static long checkModel(JobConfig job, TrainTest data) {
    if (job.model().type() == ModelConfig.Type.DL4J) {
      return dl4jParams(job.model().network());
    }
    MultiLayerConfiguration conf =
        NetworkFactory.configuration(
            job.model(), data.train().shape(), data.train().numClasses(), job.train().seed());
    long params = 0;
    for (NeuralNetConfiguration layer : conf.getConfs()) {
      params = saturatingAdd(params, layer.getLayer().initializer().numParams(layer));
    }
    return params;
  }

  /** Parameters of a DL4J network's JSON configuration, counted without allocating them. */
  private static long dl4jParams(String json) {
    long params = 0;
    boolean graph;
    try {
      graph = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json).has("vertices");
    } catch (java.io.IOException e) {
      return 0;
    }
    if (graph) {
      for (org.deeplearning4j.nn.conf.graph.GraphVertex vertex :
          org.deeplearning4j.nn.conf.ComputationGraphConfiguration.fromJson(json)
              .getVertices()
              .values()) {
        if (vertex instanceof org.deeplearning4j.nn.conf.graph.LayerVertex layer) {
          NeuralNetConfiguration conf = layer.getLayerConf();
          params = saturatingAdd(params, conf.getLayer().initializer().numParams(conf));
        }
      }
      return params;
    }
    for (NeuralNetConfiguration layer : MultiLayerConfiguration.fromJson(json).getConfs()) {
      params = saturatingAdd(params, layer.getLayer().initializer().numParams(layer));
    }
    return params;
  }

  /** A network that cannot fit in memory would end in the native allocator's bad_alloc. */
  static void checkMemory(JobConfig job, ClusterConfig cluster, long params) {
    long driverLimit = org.bytedeco.javacpp.Pointer.maxBytes();
    long rankNeeds = saturatingMultiply(params, RANK_BYTES_PER_PARAM);
    long driverNeeds = saturatingMultiply(params, DRIVER_BYTES_PER_PARAM);
    if (cluster.effectiveMaster().isEmpty()) {
      // In-process: every rank lives in the driver's JVM.
      driverNeeds =
          saturatingAdd(driverNeeds, saturatingMultiply(rankNeeds, job.train().worldSize()));
    }
    String sizeKeys =
        switch (job.model().type()) {
          case DEEP_MLP -> "model.depth and model.width";
          case CNN -> "model.cnn.channels and model.hidden";
          case MLP -> "model.hidden";
          case DL4J -> "the network of model.file or model.zoo";
        };
    String model = describe(job.model());
    if (driverLimit > 0 && driverNeeds > driverLimit) {
      throw new ConfigException(
          model
              + " has "
              + params
              + " parameters"
              + (params == Long.MAX_VALUE ? " (more than a long counts)" : "")
              + ", about "
              + gib(driverNeeds)
              + " on the driver, more than the "
              + gib(driverLimit)
              + " of native memory it may use (org.bytedeco.javacpp.maxbytes); make "
              + sizeKeys
              + " smaller");
    }
    long executorLimit = executorMemoryBytes(cluster);
    if (executorLimit > 0 && rankNeeds > executorLimit) {
      throw new ConfigException(
          model
              + " has "
              + params
              + " parameters, about "
              + gib(rankNeeds)
              + " per rank with gradients and optimizer state, more than the "
              + gib(executorLimit)
              + " an executor has; make "
              + sizeKeys
              + " smaller or give the executors more memory");
    }
  }

  private static String describe(ModelConfig m) {
    return switch (m.type()) {
      case DEEP_MLP -> "model.depth = " + m.depth() + ", model.width = " + m.width();
      case CNN -> "model.cnn.channels = " + m.cnnChannels() + ", model.hidden = " + m.hidden();
      case MLP -> "model.hidden = " + m.hidden();
      case DL4J -> m.zoo().isEmpty() ? "model.file = " + m.file() : "model.zoo = " + m.zoo();
    };
  }

  /**
   * An executor's memory where the configuration tells it (the local-cluster shape, or
   * spark.executor.memory passed as a system property), else 0 (unknown).
   */
  private static long executorMemoryBytes(ClusterConfig cluster) {
    if (cluster.localCluster().isPresent()) {
      return (long) cluster.localCluster().get().memoryMb() << 20;
    }
    String memory = System.getProperty("spark.executor.memory", "").trim();
    if (!memory.isEmpty() && !cluster.effectiveMaster().isEmpty()) {
      try {
        // Spark reads a bare number as MiB.
        return org.apache.spark.network.util.JavaUtils.byteStringAsMb(memory) << 20;
      } catch (NumberFormatException e) {
        throw new ConfigException(
            "spark.executor.memory = " + memory + " is not a size; write it like 4g or 2048m");
      }
    }
    return 0;
  }

  static void checkSchedule(Config resolved, JobConfig job, TrainingPlan plan) {
    if (!Double.isFinite(plan.peakLr()) || plan.peakLr() > MAX_PEAK_LR) {
      throw new ConfigException(
          "optim.lr = "
              + job.optim().lr()
              + " scaled to the global batch of "
              + plan.globalBatch()
              + " gives a peak learning rate of "
              + plan.peakLr()
              + ", above "
              + MAX_PEAK_LR
              + "; set a learning rate such as 0.001");
    }
    // Builds the schedule once: it refuses schedule.min_lr above the scaled peak.
    plan.schedule();
    // Only a warmup the user asked for: the default one is simply cut short by a short run.
    if (userSet(resolved, "schedule.warmup_steps") || userSet(resolved, "schedule.warmup_epochs")) {
      LrSchedules.checkWarmupFits(job.schedule(), plan.stepsPerEpoch(), plan.totalSteps());
    }
  }

  /** snapshot.dir must be a directory, or a path one can be created at. */
  static void checkSnapshotDir(String dir) {
    if (dir.isEmpty() || LocalPaths.isHadoopUri(dir)) {
      // A Hadoop file system is checked by opening it, before the run directory is created.
      return;
    }
    Path path = LocalPaths.localPath(dir).toAbsolutePath();
    if (Files.exists(path) && !Files.isDirectory(path)) {
      throw new ConfigException(
          "snapshot.dir = "
              + dir
              + " is a file; set it to a directory (or leave it empty for"
              + " OUT/snapshots)");
    }
    Path existing = path;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing != null && !Files.isDirectory(existing)) {
      throw new ConfigException(
          "snapshot.dir = "
              + dir
              + " lies under "
              + existing
              + ", which is a file; set it to a"
              + " directory path");
    }
    if (existing != null && !Files.isWritable(existing)) {
      throw new ConfigException(
          "snapshot.dir = "
              + dir
              + ": "
              + existing
              + " is not writable; choose a writable"
              + " directory");
    }
  }

  /** A bind address that does not resolve, or (one host) is not this host's. */
  static void checkBindHost(JobConfig job, ClusterConfig cluster) {
    String host = job.comm().bindHost();
    if (host.equals("auto")) {
      return;
    }
    InetAddress address;
    try {
      address = InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw new ConfigException(
          "comm.aeron.bind_host = "
              + host
              + " does not resolve to an address; set an address of the executors' hosts, or"
              + " auto");
    }
    boolean oneHost = cluster.effectiveMaster().startsWith("local");
    if (oneHost && !isLocal(address)) {
      throw new ConfigException(
          "comm.aeron.bind_host = "
              + host
              + " is not an address of this host, where "
              + cluster.effectiveMaster()
              + " runs every rank; set 127.0.0.1 or auto");
    }
  }

  private static boolean isLocal(InetAddress address) {
    if (address.isAnyLocalAddress() || address.isLoopbackAddress()) {
      return true;
    }
    try {
      return NetworkInterface.getByInetAddress(address) != null;
    } catch (IOException e) {
      return false;
    }
  }

  /** What the master URL alone says about slots and reachability. */
  static void checkCluster(JobConfig job, ClusterConfig cluster) {
    String master = cluster.effectiveMaster();
    int world = job.train().worldSize();
    Matcher local = LOCAL.matcher(master);
    if (local.matches()) {
      int slots =
          local.group(1) == null
              ? 1
              : local.group(1).equals("*")
                  ? Runtime.getRuntime().availableProcessors()
                  : Integer.parseInt(local.group(1));
      if (slots < world) {
        throw new ConfigException(
            "cluster.master = "
                + master
                + " runs "
                + slots
                + " task(s) at a time but train.world_size = "
                + world
                + " needs one per rank at once; use local["
                + world
                + "] or local-cluster["
                + world
                + ",1,1024], or lower train.world_size");
      }
      return;
    }
    if (cluster.localCluster().isPresent()) {
      int executors = cluster.localCluster().get().executors();
      if (executors < world) {
        throw new ConfigException(
            "cluster.master = "
                + master
                + " starts "
                + executors
                + " executor(s) but train.world_size = "
                + world
                + " needs one per rank; write local-cluster["
                + world
                + ",...] or lower train.world_size");
      }
      return;
    }
    Matcher spark = SPARK.matcher(master);
    if (spark.matches()) {
      checkReachable(master, spark.group(1), cluster.registerTimeout());
    }
  }

  /** Connects to each master of {@code spark://h1:p1,h2:p2}; one that answers is enough. */
  private static void checkReachable(String master, String hosts, Duration timeout) {
    String last = "";
    for (String hostPort : hosts.split(",")) {
      int colon = hostPort.lastIndexOf(':');
      String host = colon < 0 ? hostPort : hostPort.substring(0, colon);
      int port;
      try {
        port = colon < 0 ? 7077 : Integer.parseInt(hostPort.substring(colon + 1).replace("/", ""));
      } catch (NumberFormatException e) {
        throw new ConfigException(
            "cluster.master = " + master + " has no valid port; write spark://HOST:PORT");
      }
      try (Socket socket = new Socket()) {
        socket.connect(
            new InetSocketAddress(host, port),
            (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        return;
      } catch (IOException e) {
        last = host + ":" + port + " (" + e.getMessage() + ")";
      }
    }
    throw new ConfigException(
        "cluster.master = "
            + master
            + ": cannot reach the Spark master at "
            + last
            + " within cluster.register_timeout = "
            + timeout.toSeconds()
            + " s; start it (deploy/bin/cluster-start) or fix the URL");
  }

  /** Whether the user set {@code key} (job file or --set) rather than leaving the default. */
  static boolean userSet(Config resolved, String key) {
    if (!resolved.hasPath(key)) {
      return false;
    }
    String resource = resolved.getValue(key).origin().resource();
    return resource == null || !resource.endsWith(ConfigLoader.REFERENCE_RESOURCE);
  }

  private static long saturatingAdd(long a, long b) {
    try {
      return Math.addExact(a, b);
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  private static long saturatingMultiply(long a, long b) {
    try {
      return Math.multiplyExact(a, b);
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  private static String gib(long bytes) {
    if (bytes == Long.MAX_VALUE) {
      return "more than 8 EiB";
    }
    return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
  }
}
