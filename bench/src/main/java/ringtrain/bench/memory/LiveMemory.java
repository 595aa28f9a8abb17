package ringtrain.bench.memory;

import com.sun.tools.attach.VirtualMachine;
import com.sun.tools.attach.VirtualMachineDescriptor;
import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import javax.management.MBeanServerConnection;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * The live memory of this JVM's Spark executors (the {@code local-cluster} workers' child
 * processes), sampled from outside: every interval it attaches to each executor JVM over its local
 * JMX agent, runs a full collection there, and reads the heap still used after it, the non-heap
 * (classes, JIT code) and the direct and mapped buffer pools. Spark's own executor metrics report
 * used heap including garbage; the heap after a full collection is what the executor holds.
 *
 * <p>Each sample's full collection pauses the executor, so the runs it watches are slower; their
 * examples/s are not comparable with unwatched runs.
 */
final class LiveMemory implements AutoCloseable {
  /** The components kept per sample, in bytes, in the order they are reported. */
  static final String[] PARTS = {"heap_after_gc", "non_heap", "direct", "mapped"};

  private static final String EXECUTOR_MAIN = "CoarseGrainedExecutorBackend";
  private static final long SAMPLE_DEADLINE_S = 20;

  private final long intervalMs;
  private final Map<Long, JMXConnector> connections = new ConcurrentHashMap<>();
  private final Map<Long, long[]> peaks = new TreeMap<>();
  private final Map<Long, Integer> samples = new TreeMap<>();
  private final List<Map<String, Long>> series = new ArrayList<>();
  private final long startNanos = System.nanoTime();
  private final ExecutorService attacher = Executors.newSingleThreadExecutor(LiveMemory::daemon);
  private final Thread sampler;
  private volatile boolean running = true;

  LiveMemory(long intervalMs) {
    this.intervalMs = intervalMs;
    this.sampler = daemon(this::loop);
    sampler.setName("live-memory-sampler");
    sampler.start();
  }

  private static Thread daemon(Runnable r) {
    Thread t = new Thread(r, "live-memory-attach");
    t.setDaemon(true);
    return t;
  }

  private void loop() {
    while (running) {
      executors().forEach(this::sample);
      try {
        Thread.sleep(intervalMs);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /**
   * This JVM's descendant processes that are Spark executors, by the main class their JVM reports
   * to the attach mechanism (a command line with a few hundred jars on the classpath is not always
   * readable through {@link ProcessHandle.Info}).
   */
  private static Set<Long> executors() {
    Set<Long> children =
        ProcessHandle.current().descendants().map(ProcessHandle::pid).collect(Collectors.toSet());
    Set<Long> out = new TreeSet<>();
    for (VirtualMachineDescriptor vm : VirtualMachine.list()) {
      long pid = Long.parseLong(vm.id());
      if (children.contains(pid) && vm.displayName().contains(EXECUTOR_MAIN)) {
        out.add(pid);
      }
    }
    return out;
  }

  /**
   * One sample of one executor, within a deadline; an executor that is still starting, or already
   * gone, is skipped this time.
   */
  private void sample(long pid) {
    Future<long[]> read = attacher.submit(() -> read(pid));
    try {
      record(pid, read.get(SAMPLE_DEADLINE_S, TimeUnit.SECONDS));
    } catch (InterruptedException e) {
      read.cancel(true);
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      read.cancel(true);
      closeQuietly(connections.remove(pid));
    }
  }

  /** Attaches once per process, then: a full collection, and the memory left in use. */
  private long[] read(long pid) throws Exception {
    JMXConnector c = connections.get(pid);
    if (c == null) {
      VirtualMachine vm = VirtualMachine.attach(Long.toString(pid));
      try {
        c = JMXConnectorFactory.connect(new JMXServiceURL(vm.startLocalManagementAgent()));
      } finally {
        vm.detach();
      }
      connections.put(pid, c);
    }
    MBeanServerConnection conn = c.getMBeanServerConnection();
    MemoryMXBean memory =
        ManagementFactory.newPlatformMXBeanProxy(
            conn, ManagementFactory.MEMORY_MXBEAN_NAME, MemoryMXBean.class);
    memory.gc();
    long[] sample = new long[PARTS.length];
    sample[0] = memory.getHeapMemoryUsage().getUsed();
    sample[1] = memory.getNonHeapMemoryUsage().getUsed();
    for (BufferPoolMXBean pool :
        ManagementFactory.getPlatformMXBeans(conn, BufferPoolMXBean.class)) {
      if ("direct".equals(pool.getName())) {
        sample[2] = pool.getMemoryUsed();
      } else if ("mapped".equals(pool.getName())) {
        sample[3] = pool.getMemoryUsed();
      }
    }
    return sample;
  }

  private synchronized void record(long pid, long[] sample) {
    long[] p = peaks.computeIfAbsent(pid, k -> new long[PARTS.length + 1]);
    long total = 0;
    for (int i = 0; i < PARTS.length; i++) {
      p[i] = Math.max(p[i], sample[i]);
      total += sample[i];
    }
    p[PARTS.length] = Math.max(p[PARTS.length], total);
    samples.merge(pid, 1, Integer::sum);
    Map<String, Long> point = new LinkedHashMap<>();
    point.put("t_ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
    point.put("pid", pid);
    for (int i = 0; i < PARTS.length; i++) {
      point.put(PARTS[i], sample[i]);
    }
    series.add(point);
  }

  /** Every sample in the order taken: milliseconds since the start, the process, each part. */
  synchronized List<Map<String, Long>> series() {
    return List.copyOf(series);
  }

  /** Per executor process: each part's peak, the peak of their sum, and the sample count. */
  synchronized Map<String, Map<String, Long>> byExecutor() {
    Map<String, Map<String, Long>> out = new LinkedHashMap<>();
    peaks.forEach(
        (pid, p) -> {
          Map<String, Long> row = new LinkedHashMap<>();
          for (int i = 0; i < PARTS.length; i++) {
            row.put(PARTS[i], p[i]);
          }
          row.put("total", p[PARTS.length]);
          row.put("samples", (long) samples.get(pid));
          out.put("pid " + pid, row);
        });
    return out;
  }

  /** The largest peak total over the executors (0 when none was sampled). */
  synchronized long maxTotal() {
    return peaks.values().stream().mapToLong(p -> p[PARTS.length]).max().orElse(0);
  }

  private static void closeQuietly(JMXConnector c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (IOException ignored) {
      // The executor is gone; nothing to release on this side.
    }
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    sampler.interrupt();
    sampler.join(TimeUnit.SECONDS.toMillis(SAMPLE_DEADLINE_S + 5));
    attacher.shutdownNow();
    connections.values().forEach(LiveMemory::closeQuietly);
    connections.clear();
  }
}
