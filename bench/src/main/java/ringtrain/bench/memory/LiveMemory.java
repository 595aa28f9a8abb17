package ringtrain.bench.memory;

import com.sun.tools.attach.VirtualMachine;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.management.MBeanServerConnection;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * What the executor JVMs of an embedded cluster (child processes of this JVM) hold live: every
 * {@code periodMs} it attaches to each one, runs a full collection, and reads the used heap and the
 * direct and mapped buffer pools. Spark's own peaks count garbage as used heap; these count only
 * what survives a collection, which is what the data placement decides.
 */
final class LiveMemory implements AutoCloseable {
  private final Map<Long, long[]> peaks = new TreeMap<>();
  private final Thread thread;
  private volatile boolean running = true;

  LiveMemory(long periodMs) {
    thread =
        new Thread(
            () -> {
              while (running) {
                sampleAll();
                try {
                  Thread.sleep(periodMs);
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "live-memory");
    thread.setDaemon(true);
    thread.start();
  }

  private void sampleAll() {
    List<ProcessHandle> executors =
        ProcessHandle.current()
            .descendants()
            .filter(p -> p.info().commandLine().orElse("").contains("CoarseGrainedExecutorBackend"))
            .toList();
    for (ProcessHandle p : executors) {
      try {
        long[] s = sample(p.pid());
        synchronized (peaks) {
          long[] peak = peaks.computeIfAbsent(p.pid(), k -> new long[3]);
          for (int i = 0; i < 3; i++) {
            peak[i] = Math.max(peak[i], s[i]);
          }
        }
      } catch (Exception e) {
        // The executor is starting or gone; the next round tries again.
      }
    }
  }

  /** {live heap after a full collection, direct buffers, mapped buffers} of {@code pid}. */
  private static long[] sample(long pid) throws Exception {
    VirtualMachine vm = VirtualMachine.attach(Long.toString(pid));
    try {
      String url = vm.startLocalManagementAgent();
      try (JMXConnector c = JMXConnectorFactory.connect(new JMXServiceURL(url))) {
        MBeanServerConnection s = c.getMBeanServerConnection();
        MemoryMXBean memory =
            ManagementFactory.newPlatformMXBeanProxy(
                s, ManagementFactory.MEMORY_MXBEAN_NAME, MemoryMXBean.class);
        memory.gc();
        long heap = memory.getHeapMemoryUsage().getUsed();
        long direct = 0;
        long mapped = 0;
        for (BufferPoolMXBean pool :
            ManagementFactory.getPlatformMXBeans(s, BufferPoolMXBean.class)) {
          if (pool.getName().equals("direct")) {
            direct = pool.getMemoryUsed();
          } else if (pool.getName().equals("mapped")) {
            mapped = pool.getMemoryUsed();
          }
        }
        return new long[] {heap, direct, mapped};
      }
    } finally {
      vm.detach();
    }
  }

  /** Per executor process: the peak of each part and of their sum over the samples. */
  Map<String, Map<String, Long>> byExecutor() {
    Map<String, Map<String, Long>> out = new LinkedHashMap<>();
    synchronized (peaks) {
      peaks.forEach(
          (pid, p) -> {
            Map<String, Long> row = new LinkedHashMap<>();
            row.put("live_heap", p[0]);
            row.put("direct", p[1]);
            row.put("mapped", p[2]);
            out.put("pid " + pid, row);
          });
    }
    return out;
  }

  /** The largest live heap + direct buffers over the executors (mapped files are Aeron's). */
  long maxHeapPlusDirect() {
    synchronized (peaks) {
      return peaks.values().stream().mapToLong(p -> p[0] + p[1]).max().orElse(0);
    }
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
