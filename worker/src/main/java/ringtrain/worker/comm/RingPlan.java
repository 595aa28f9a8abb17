package ringtrain.worker.comm;

import ringtrain.common.numeric.Dtype;

/**
 * The ring steps of one collective as seen by one rank: at step t the rank sends chunk {@link
 * #sendChunk(int)} (or nothing, −1) and receives chunk {@link #recvChunk(int)} (or nothing), which
 * it reduces, reduces-and-finishes, or copies. Chunk bounds follow {@link RingOrder}.
 */
final class RingPlan {
  enum RecvMode {
    REDUCE,
    REDUCE_AND_FINISH,
    COPY
  }

  private final short kind;
  private final long step;
  private final int bucket;
  private final long sequence;
  private final long length;
  private final int chunks;
  private final WireCodec wire;
  private final int divisor;
  private final int[] sendChunks;
  private final int[] recvChunks;
  private final RecvMode[] recvModes;
  private final int roundedChunk;

  private RingPlan(
      short kind,
      long step,
      int bucket,
      long sequence,
      long length,
      int chunks,
      WireCodec wire,
      int divisor,
      int[] sendChunks,
      int[] recvChunks,
      RecvMode[] recvModes,
      int roundedChunk) {
    this.kind = kind;
    this.step = step;
    this.bucket = bucket;
    this.sequence = sequence;
    this.length = length;
    this.chunks = chunks;
    this.wire = wire;
    this.divisor = divisor;
    this.sendChunks = sendChunks;
    this.recvChunks = recvChunks;
    this.recvModes = recvModes;
    this.roundedChunk = roundedChunk;
  }

  /** Reduce-scatter (N−1 steps) then all-gather (N−1 steps). */
  static RingPlan allReduce(
      RingJob job, long step, int bucket, long sequence, long length, ReduceOp op, Dtype w) {
    return ring(
        FrameHeader.KIND_ALL_REDUCE, job, step, bucket, sequence, length, op, w, true, true);
  }

  /**
   * The first half of {@link #allReduce}: afterwards this rank's chunk {@link RingOrder#ownedChunk}
   * holds the finished value, the others partial sums.
   */
  static RingPlan reduceScatter(
      RingJob job, long step, int bucket, long sequence, long length, ReduceOp op, Dtype w) {
    return ring(
        FrameHeader.KIND_REDUCE_SCATTER, job, step, bucket, sequence, length, op, w, true, false);
  }

  /**
   * The second half of {@link #allReduce}: every rank starts by sending its owned chunk, which it
   * first rounds to the wire grid ({@link #roundedChunk()}) so that it keeps what the others get.
   */
  static RingPlan allGather(
      RingJob job, long step, int bucket, long sequence, long length, Dtype w) {
    return ring(
        FrameHeader.KIND_ALL_GATHER,
        job,
        step,
        bucket,
        sequence,
        length,
        ReduceOp.SUM,
        w,
        false,
        true);
  }

  /**
   * The ring steps of the two halves: in reduce-scatter step t rank r sends chunk r−t and reduces
   * chunk r−t−1 (finishing it at the last step, chunk r+1); in all-gather step u it sends chunk
   * r+1−u (its finished one first) and copies chunk r−u.
   */
  private static RingPlan ring(
      short kind,
      RingJob job,
      long step,
      int bucket,
      long sequence,
      long length,
      ReduceOp op,
      Dtype w,
      boolean scatter,
      boolean gather) {
    int n = job.worldSize();
    int r = job.rank();
    int half = n - 1;
    int steps = (scatter ? half : 0) + (gather ? half : 0);
    int[] send = new int[steps];
    int[] recv = new int[steps];
    RecvMode[] modes = new RecvMode[steps];
    int at = 0;
    if (scatter) {
      for (int t = 0; t < half; t++, at++) {
        send[at] = Math.floorMod(r - t, n);
        recv[at] = Math.floorMod(r - t - 1, n);
        modes[at] = t == n - 2 ? RecvMode.REDUCE_AND_FINISH : RecvMode.REDUCE;
      }
    }
    if (gather) {
      for (int u = 0; u < half; u++, at++) {
        send[at] = Math.floorMod(r + 1 - u, n);
        recv[at] = Math.floorMod(r - u, n);
        modes[at] = RecvMode.COPY;
      }
    }
    int divisor = op == ReduceOp.AVERAGE ? n : 1;
    // Alone, the all-gather's owner rounds its chunk as the wire rounds it for everyone else; in
    // the all-reduce the finish step has already done so.
    int rounded = gather && !scatter && n > 1 && w != Dtype.FP32 ? RingOrder.ownedChunk(r, n) : -1;
    return new RingPlan(
        kind,
        step,
        bucket,
        sequence,
        length,
        n,
        new WireCodec(w),
        divisor,
        send,
        recv,
        modes,
        rounded);
  }

  /** The root sends; every other rank receives and forwards, except the root's left neighbour. */
  static RingPlan broadcast(
      RingJob job, long step, int bucket, long sequence, long length, int root) {
    int n = job.worldSize();
    int r = job.rank();
    int[] send;
    int[] recv;
    if (n == 1) {
      send = new int[0];
      recv = new int[0];
    } else if (r == root) {
      send = new int[] {0};
      recv = new int[] {-1};
    } else if (Math.floorMod(root - 1, n) == r) {
      send = new int[] {-1};
      recv = new int[] {0};
    } else {
      send = new int[] {-1, 0};
      recv = new int[] {0, -1};
    }
    RecvMode[] modes = new RecvMode[send.length];
    java.util.Arrays.fill(modes, RecvMode.COPY);
    return new RingPlan(
        FrameHeader.KIND_BROADCAST,
        step,
        bucket,
        sequence,
        length,
        1,
        new WireCodec(Dtype.FP32),
        1,
        send,
        recv,
        modes,
        -1);
  }

  /** N−1 steps of an empty all-gather: step t is sent only after step t−1 arrived. */
  static RingPlan barrier(RingJob job, long step, int bucket, long sequence) {
    int steps = job.worldSize() - 1;
    int[] chunks = new int[steps];
    RecvMode[] modes = new RecvMode[steps];
    java.util.Arrays.fill(modes, RecvMode.COPY);
    return new RingPlan(
        FrameHeader.KIND_BARRIER,
        step,
        bucket,
        sequence,
        0,
        1,
        new WireCodec(Dtype.FP32),
        1,
        chunks,
        chunks.clone(),
        modes,
        -1);
  }

  int steps() {
    return sendChunks.length;
  }

  int sendChunk(int t) {
    return sendChunks[t];
  }

  int recvChunk(int t) {
    return recvChunks[t];
  }

  RecvMode recvMode(int t) {
    return recvModes[t];
  }

  /** The first step at or after {@code t} that sends, or {@link #steps()}. */
  int nextSendStep(int t) {
    while (t < sendChunks.length && sendChunks[t] < 0) {
      t++;
    }
    return t;
  }

  /** The first step at or after {@code t} that receives, or {@link #steps()}. */
  int nextRecvStep(int t) {
    while (t < recvChunks.length && recvChunks[t] < 0) {
      t++;
    }
    return t;
  }

  long chunkStart(int chunk) {
    return RingOrder.chunkStart(length, chunks, chunk);
  }

  long chunkLength(int chunk) {
    return RingOrder.chunkLength(length, chunks, chunk);
  }

  short kind() {
    return kind;
  }

  String kindName() {
    return switch (kind) {
      case FrameHeader.KIND_ALL_REDUCE -> "all-reduce";
      case FrameHeader.KIND_REDUCE_SCATTER -> "reduce-scatter";
      case FrameHeader.KIND_ALL_GATHER -> "all-gather";
      case FrameHeader.KIND_BROADCAST -> "broadcast";
      default -> "barrier";
    };
  }

  /**
   * The chunk this rank rounds in place to the wire type before the plan runs, or −1: a lone
   * all-gather's own chunk, so that its owner holds the bits every other rank receives.
   */
  int roundedChunk() {
    return roundedChunk;
  }

  long step() {
    return step;
  }

  int bucket() {
    return bucket;
  }

  long sequence() {
    return sequence;
  }

  long length() {
    return length;
  }

  WireCodec wire() {
    return wire;
  }

  int wireBytes() {
    return wire.dtype().bytes();
  }

  int divisor() {
    return divisor;
  }
}
