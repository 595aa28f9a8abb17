package ringtrain.worker.loop;

import ringtrain.common.numeric.Dtype;
import ringtrain.worker.comm.Collective;
import ringtrain.worker.ddp.GradientBuffer;

/**
 * The communication half of a step: averages the flat gradient and its side scalars over the ranks
 * in one all-reduce (gradient in the wire type, side scalars in FP32), or, with overlap, waits for
 * the buckets backward already started.
 */
final class GradientSync {
  private final Collective comm;
  private final GradientBuffer gradient;
  private final Dtype wire;

  /** Set when buckets are all-reduced during backward; null otherwise. */
  private final OverlappedBuckets overlapped;

  GradientSync(Collective comm, GradientBuffer gradient, Dtype wire, OverlappedBuckets overlapped) {
    this.comm = comm;
    this.gradient = gradient;
    this.wire = wire;
    this.overlapped = overlapped;
  }

  /**
   * Averages step {@code s}'s gradient and side scalars over the ranks.
   *
   * @param computeEnd when the step's compute finished (System.nanoTime)
   * @return {nanos of communication, nanos of it hidden behind compute}
   */
  long[] synchronize(long s, long computeEnd) {
    if (comm.worldSize() == 1) {
      return new long[] {0, 0};
    }
    if (overlapped != null) {
      return overlapped.finish(s, computeEnd);
    }
    gradient.allReduce(comm, s, wire);
    return new long[] {System.nanoTime() - computeEnd, 0};
  }
}
