package ringtrain.worker.comm;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/** Counts of dropped frames by reason; written by the ring's thread, readable from any thread. */
public final class FrameCounters {
  private final AtomicLongArray counts = new AtomicLongArray(FrameReject.values().length);

  void reject(FrameReject reason) {
    counts.incrementAndGet(reason.ordinal());
  }

  public long rejected(FrameReject reason) {
    return counts.get(reason.ordinal());
  }

  public long totalRejected() {
    long total = 0;
    for (int i = 0; i < counts.length(); i++) {
      total += counts.get(i);
    }
    return total;
  }

  /** A copy of all counts, for logs and metrics. */
  public Map<FrameReject, Long> snapshot() {
    Map<FrameReject, Long> copy = new EnumMap<>(FrameReject.class);
    for (FrameReject r : FrameReject.values()) {
      copy.put(r, rejected(r));
    }
    return copy;
  }

  @Override
  public String toString() {
    return snapshot().toString();
  }
}
