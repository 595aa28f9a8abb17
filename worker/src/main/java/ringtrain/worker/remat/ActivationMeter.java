package ringtrain.worker.remat;

/**
 * Counts the bytes of activation arrays alive for backward: the layer inputs the layers hold and
 * the segment-boundary activations the engine keeps. Transient arrays (pre-activations inside a
 * layer, the error signal passed down) are the same with and without recomputation and are not
 * counted.
 */
public final class ActivationMeter {
  private long live;
  private long peak;

  void reset() {
    live = 0;
    peak = 0;
  }

  void hold(long bytes) {
    live += bytes;
    peak = Math.max(peak, live);
  }

  void release(long bytes) {
    live -= bytes;
  }

  /** Bytes alive now (0 between steps). */
  public long live() {
    return live;
  }

  /** Largest number of bytes alive at once during the last step. */
  public long peak() {
    return peak;
  }
}
