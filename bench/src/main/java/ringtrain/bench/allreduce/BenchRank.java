package ringtrain.bench.allreduce;

import com.sun.management.OperatingSystemMXBean;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import ringtrain.bench.Medians;
import ringtrain.common.config.CommConfig;
import ringtrain.common.config.key.CommKeys;
import ringtrain.common.config.key.ConfigKey;
import ringtrain.common.config.key.Setting;
import ringtrain.common.numeric.Dtype;
import ringtrain.worker.comm.AeronRing;
import ringtrain.worker.comm.ReduceOp;
import ringtrain.worker.comm.RingJob;
import ringtrain.worker.comm.RingOrder;

/**
 * One rank process of {@link AllReduceBenchmark}. Prints {@code ENDPOINT host:port}, reads {@code
 * ENDPOINTS e0,e1,...}, measures the raw link bandwidth and then the all-reduce for every size,
 * printing {@code P2P mode bytes nanos} and {@code ROW dtype bytes count micros wrong streamNanos}
 * lines (streamNanos: median bidirectional stream of the row's size, measured between its
 * iterations; -1 below {@link #PAIRED_MIN_BYTES}) followed by the CPU milliseconds per all-reduce
 * of the ring thread and of the rest of the process (the media driver), and the same two for the
 * raw streams (0 where there were none).
 *
 * <p>args: rank world minBytes maxBytes dtypes(comma) p2pBytes overrides(key=value,... or -)
 * iterations(0 = by size) warmup
 */
public final class BenchRank {
  /**
   * Raw stream measurements of each kind before and again after the all-reduce sweep (so both see
   * the same machine); the benchmark reports the median of all of them.
   */
  static final int P2P_REPEATS = 5;

  /**
   * From this size on, every round of timed all-reduces is followed by a bidirectional raw stream
   * of the same size, whose median is printed with each row.
   */
  static final long PAIRED_MIN_BYTES = 16L << 20;

  /** All-reduces of each type, and their size, run before the sweep to JIT-compile the codec. */
  static final int JIT_WARMUP_OPS = 500;

  static final int JIT_WARMUP_BYTES = 256 << 10;

  /** Unreported raw streams first: JIT compilation and the first touch of the term buffers. */
  private static final int P2P_WARMUP = 2;

  private BenchRank() {}

  public static void main(String[] args) throws Exception {
    int rank = Integer.parseInt(args[0]);
    int world = Integer.parseInt(args[1]);
    long minBytes = Long.parseLong(args[2]);
    long maxBytes = Long.parseLong(args[3]);
    List<Dtype> dtypes = Arrays.stream(args[4].split(",")).map(Dtype::parse).toList();
    long p2pBytes = Long.parseLong(args[5]);
    CommConfig config = fromAeronFlag(args[6], CommKeys.TIMEOUT.is(Duration.ofSeconds(60)));
    int fixedIterations = Integer.parseInt(args[7]);
    int warmup = Integer.parseInt(args[8]);
    try (AeronRing ring = AeronRing.bind(config, new RingJob(1, 0, rank, world), "bench", 0)) {
      System.out.println("ENDPOINT " + ring.localEndpoint());
      System.out.flush();
      BufferedReader in =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      String line = in.readLine();
      ring.connect(Arrays.asList(line.substring("ENDPOINTS ".length()).split(",")));
      long step = 0;
      step = measureLinks(ring, rank, p2pBytes, P2P_WARMUP, step, false);
      step = measureLinks(ring, rank, p2pBytes, P2P_REPEATS, step, true);
      // JIT warm-up of every type's codec before any row is timed: the SIMD kernels run boxed
      // and hundreds of times slower until C2 has compiled them.
      FloatBuffer warm =
          ByteBuffer.allocateDirect(JIT_WARMUP_BYTES)
              .order(ByteOrder.nativeOrder())
              .asFloatBuffer();
      fill(warm, rank);
      for (Dtype wire : dtypes) {
        for (int i = 0; i < JIT_WARMUP_OPS; i++) {
          ring.allReduce(warm, ReduceOp.AVERAGE, step++, wire);
        }
      }
      CpuClock clock = new CpuClock(rank);
      FloatBuffer buffer =
          ByteBuffer.allocateDirect((int) maxBytes).order(ByteOrder.nativeOrder()).asFloatBuffer();
      for (long bytes = minBytes; bytes <= maxBytes; bytes *= 2) {
        int count = (int) (bytes / Float.BYTES);
        FloatBuffer b = buffer.duplicate().position(0).limit(count).slice();
        fill(b, rank);
        int iterations =
            fixedIterations > 0
                ? fixedIterations
                : (int) Math.max(5, Math.min(40, (512L << 20) / bytes));
        boolean paired = bytes >= PAIRED_MIN_BYTES;
        for (Dtype wire : dtypes) {
          for (int w = 0; w < warmup; w++) {
            ring.allReduce(b, ReduceOp.AVERAGE, step++, wire);
          }
        }
        // Round-robin over the types, and a raw stream of the same size after each round, so that
        // the ratios compare measurements taken side by side.
        double[][] micros = new double[dtypes.size()][iterations];
        long[][] cpu = new long[dtypes.size() + 1][2]; // ring thread, whole process; last: stream
        double[] streamNanos = new double[paired ? iterations : 0];
        for (int i = 0; i < iterations; i++) {
          for (int t = 0; t < dtypes.size(); t++) {
            ring.barrier(step++);
            long ring0 = clock.ring();
            long process0 = clock.process();
            long t0 = System.nanoTime();
            ring.allReduce(b, ReduceOp.AVERAGE, step++, dtypes.get(t));
            micros[t][i] = (System.nanoTime() - t0) / 1e3;
            cpu[t][0] += clock.ring() - ring0;
            cpu[t][1] += clock.process() - process0;
          }
          if (paired) {
            ring.barrier(step++);
            long ring0 = clock.ring();
            long process0 = clock.process();
            streamNanos[i] = ring.measureStream(bytes, bytes);
            cpu[dtypes.size()][0] += clock.ring() - ring0;
            cpu[dtypes.size()][1] += clock.process() - process0;
          }
        }
        for (int t = 0; t < dtypes.size(); t++) {
          Dtype wire = dtypes.get(t);
          fill(b, rank);
          ring.allReduce(b, ReduceOp.SUM, step++, wire);
          long wrong = countWrong(b, world, wire);
          long[] stream = cpu[dtypes.size()];
          System.out.printf(
              "ROW %s %d %d %.1f %d %.0f %.3f %.3f %.3f %.3f%n",
              wire,
              bytes,
              count,
              Medians.of(micros[t]),
              wrong,
              paired ? Medians.of(streamNanos) : -1.0,
              cpu[t][0] / 1e6 / iterations,
              (cpu[t][1] - cpu[t][0]) / 1e6 / iterations,
              stream[0] / 1e6 / iterations,
              (stream[1] - stream[0]) / 1e6 / iterations);
          System.out.flush();
        }
      }
      step = measureLinks(ring, rank, p2pBytes, P2P_REPEATS, step, true);
      ring.barrier(step);
      System.out.println("DONE");
    }
    System.out.flush();
    System.exit(0);
  }

  /** One-way (rank 0 to 1) and bidirectional streams of {@code bytes}; returns the next step. */
  private static long measureLinks(
      AeronRing ring, int rank, long bytes, int repeats, long step, boolean report) {
    for (int repeat = 0; repeat < repeats; repeat++) {
      ring.barrier(step++);
      long oneWay = ring.measureStream(rank == 0 ? bytes : 0, rank == 1 ? bytes : 0);
      if (report && rank == 1) {
        System.out.println("P2P oneway " + bytes + " " + oneWay);
      }
      ring.barrier(step++);
      long both = ring.measureStream(bytes, bytes);
      if (report) {
        System.out.println("P2P bidirectional " + bytes + " " + both);
      }
      System.out.flush();
    }
    return step;
  }

  /** The short names of {@code --aeron} and the keys they set. */
  private static final Map<String, ConfigKey<?>> AERON_FLAG_KEYS =
      Map.of(
          "idle", CommKeys.IDLE,
          "threading", CommKeys.THREADING,
          "term_kb", CommKeys.TERM_LENGTH_KB,
          "mtu", CommKeys.MTU,
          "socket_kb", CommKeys.SOCKET_BUFFER_KB,
          "dir", CommKeys.DIR,
          "transport", CommKeys.TRANSPORT,
          "bind_host", CommKeys.BIND_HOST,
          "window_kb", CommKeys.WINDOW_KB,
          "linger_us", CommKeys.RETRANSMIT_LINGER_US);

  /**
   * The comm settings of {@code idle=..,threading=..,term_kb=..,mtu=..,socket_kb=..,dir=..,
   * transport=..,bind_host=..,window_kb=..,linger_us=..} ({@code -} for none) over {@code base} and
   * the defaults, each value checked by its key's entry: a malformed or unknown setting throws
   * IllegalArgumentException, a refused value the entry's ConfigException.
   */
  static CommConfig fromAeronFlag(String overrides, Setting... base) {
    List<Setting> settings = new ArrayList<>(List.of(base));
    if (!overrides.equals("-")) {
      for (String kv : overrides.split(",")) {
        String[] p = kv.split("=", 2);
        if (p.length != 2) {
          throw new IllegalArgumentException(kv + " is not key=value");
        }
        ConfigKey<?> key = AERON_FLAG_KEYS.get(p[0]);
        if (key == null) {
          throw new IllegalArgumentException("unknown --aeron key " + p[0]);
        }
        // Typesafe Config converts the text to the key's type when the entry reads it.
        settings.add(new Setting(key.key(), p[1]));
      }
    }
    return CommConfig.of(settings.toArray(Setting[]::new));
  }

  /** CPU time of the ring's own thread and of the whole process, in nanoseconds. */
  private static final class CpuClock {
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final OperatingSystemMXBean os =
        (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private final long ringThread;

    CpuClock(int rank) {
      String name = AeronRing.threadName(rank);
      ringThread =
          Thread.getAllStackTraces().keySet().stream()
              .filter(t -> t.getName().equals(name))
              .findFirst()
              .orElseThrow(() -> new IllegalStateException("no thread named " + name))
              .getId();
    }

    long ring() {
      return threads.getThreadCpuTime(ringThread);
    }

    long process() {
      return os.getProcessCpuTime();
    }
  }

  static float value(int rank, long i) {
    return ((i * 31 + rank * 17L) % 1021 - 510) / 64f;
  }

  private static void fill(FloatBuffer b, int rank) {
    for (int i = 0; i < b.limit(); i++) {
      b.put(i, value(rank, i));
    }
  }

  private static long countWrong(FloatBuffer b, int world, Dtype wire) {
    int length = b.limit();
    float[] values = new float[world];
    long wrong = 0;
    for (int c = 0; c < world; c++) {
      long end = RingOrder.chunkStart(length, world, c + 1);
      for (long i = RingOrder.chunkStart(length, world, c); i < end; i++) {
        for (int r = 0; r < world; r++) {
          values[r] = value(r, i);
        }
        float expected = RingOrder.reduce(values, c, ReduceOp.SUM, wire);
        if (Float.floatToRawIntBits(expected) != Float.floatToRawIntBits(b.get((int) i))) {
          wrong++;
        }
      }
    }
    return wrong;
  }
}
