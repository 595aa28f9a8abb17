package ringtrain.bench.memory;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.executor.ExecutorMetrics;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;

/**
 * The peak memory of every executor while it ran tasks, as Spark's executor metrics poller saw it
 * ({@code spark.executor.metrics.pollingInterval}): the largest value each task reported at its
 * end, per executor.
 */
final class ExecutorPeaks extends SparkListener {
  /** Spark's names of the metrics kept, in the order they are reported. */
  static final String[] METRICS = {
    "JVMHeapMemory",
    "JVMOffHeapMemory",
    "DirectPoolMemory",
    "MappedPoolMemory",
    "ProcessTreeJVMRSSMemory"
  };

  private final Map<String, long[]> peaks = new TreeMap<>();

  @Override
  public synchronized void onTaskEnd(SparkListenerTaskEnd end) {
    ExecutorMetrics m = end.taskExecutorMetrics();
    if (m == null) {
      return;
    }
    long[] p = peaks.computeIfAbsent(end.taskInfo().executorId(), id -> new long[METRICS.length]);
    for (int i = 0; i < METRICS.length; i++) {
      p[i] = Math.max(p[i], m.getMetricValue(METRICS[i]));
    }
  }

  /** Per executor: each metric's peak in bytes, and {@code heap_plus_offheap}. */
  synchronized Map<String, Map<String, Long>> byExecutor() {
    Map<String, Map<String, Long>> out = new LinkedHashMap<>();
    peaks.forEach(
        (id, p) -> {
          Map<String, Long> row = new LinkedHashMap<>();
          for (int i = 0; i < METRICS.length; i++) {
            row.put(METRICS[i], p[i]);
          }
          row.put("heap_plus_offheap", heapPlusOffHeap(p));
          out.put(id, row);
        });
    return out;
  }

  /** The largest heap + off-heap peak over the executors. */
  synchronized long maxHeapPlusOffHeap() {
    return peaks.values().stream().mapToLong(ExecutorPeaks::heapPlusOffHeap).max().orElse(0);
  }

  /** Used heap, non-heap (metaspace, code), direct and mapped buffers. */
  private static long heapPlusOffHeap(long[] p) {
    return p[0] + p[1] + p[2] + p[3];
  }
}
