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
      RecvMode[] recvModes) {
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
  }

  /** Reduce-scatter (N−1 steps) then all-gather (N−1 steps). */
  static RingPlan allReduce(
      RingJob job, long step, int bucket, long sequence, long length, ReduceOp op, Dtype w) {
    int n = job.worldSize();
    int r = job.rank();
    int steps = 2 * (n - 1);
    int[] send = new int[steps];
    int[] recv = new int[steps];
    RecvMode[] modes = new RecvMode[steps];
    for (int t = 0; t < n - 1; t++) {
      send[t] = Math.floorMod(r - t, n);
      recv[t] = Math.floorMod(r - t - 1, n);
      modes[t] = t == n - 2 ? RecvMode.REDUCE_AND_FINISH : RecvMode.REDUCE;
    }
    for (int u = 0; u < n - 1; u++) {
      send[n - 1 + u] = Math.floorMod(r + 1 - u, n);
      recv[n - 1 + u] = Math.floorMod(r - u, n);
      modes[n - 1 + u] = RecvMode.COPY;
    }
    int divisor = op == ReduceOp.AVERAGE ? n : 1;
    return new RingPlan(
        FrameHeader.KIND_ALL_REDUCE,
        step,
        bucket,
        sequence,
        length,
        n,
        new WireCodec(w),
        divisor,
        send,
        recv,
        modes);
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
        modes);
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
        modes);
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
      case FrameHeader.KIND_BROADCAST -> "broadcast";
      default -> "barrier";
    };
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
