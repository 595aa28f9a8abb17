package ringtrain.bench.allreduce;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import ringtrain.common.config.CommConfig;
import ringtrain.common.config.key.CommKeys;
import ringtrain.common.numeric.Dtype;
import ringtrain.worker.comm.AeronRing;
import ringtrain.worker.comm.ReduceOp;
import ringtrain.worker.comm.RingJob;
import ringtrain.worker.comm.RingOrder;

/**
 * A rank process of the network lab tests: binds its ring to its host's address, prints {@code
 * ENDPOINT host:port}, reads {@code ENDPOINTS e0,e1,...}, then runs {@link #CASES} (size, wire
 * type, op) on seeded random vectors and prints {@code RESULT case sha256 wrong millis} for each:
 * the SHA-256 of the reduced vector's bytes, and how many elements differ from the reference
 * reduction order ({@link RingOrder#reduce}) bit for bit. Ends with {@code DONE}.
 *
 * <p>With a fifth argument {@code loop}, it all-reduces 4 MiB vectors until one fails instead, then
 * prints {@code FAILED elapsedMillis message} (the link-down test).
 *
 * <p>With {@code rounds K}, it runs K rings one after the other, each bound, connected (a new
 * {@code ENDPOINT} / {@code ENDPOINTS} exchange), used for one barrier and one all-reduce, and
 * closed right after that last collective; it prints {@code ROUND i wrong} for each (the ring close
 * test: no rank may leave a neighbour waiting for a lost datagram).
 *
 * <p>args: rank world bindHost timeoutSeconds [loop | rounds K]
 */
public final class LabRank {
  /** Sizes in floats (odd ones leave uneven chunks and a short last fragment), types and ops. */
  static final List<String> CASES =
      List.of(
          "1 fp32 SUM",
          "1000 bf16 AVERAGE",
          "262147 fp32 SUM",
          "262147 bf16 AVERAGE",
          "1048573 fp32 AVERAGE",
          "2097152 fp32 SUM",
          "2097152 bf16 SUM");

  private LabRank() {}

  public static void main(String[] args) throws Exception {
    int rank = Integer.parseInt(args[0]);
    int world = Integer.parseInt(args[1]);
    CommConfig config =
        CommConfig.of(
            CommKeys.BIND_HOST.is(args[2]),
            CommKeys.TIMEOUT.is(Duration.ofSeconds(Long.parseLong(args[3]))));
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    if (args.length > 5 && args[4].equals("rounds")) {
      rounds(config, rank, world, Integer.parseInt(args[5]), in);
      System.exit(0);
    }
    try (AeronRing ring = AeronRing.bind(config, new RingJob(7, 0, rank, world), "lab", 0)) {
      System.out.println("ENDPOINT " + ring.localEndpoint());
      System.out.flush();
      String line = in.readLine();
      ring.connect(Arrays.asList(line.substring("ENDPOINTS ".length()).split(",")));
      long step = 0;
      ring.barrier(step++);
      if (args.length > 4 && args[4].equals("loop")) {
        loop(ring, rank, step);
        return;
      }
      for (int c = 0; c < CASES.size(); c++) {
        String[] f = CASES.get(c).split(" ");
        int count = Integer.parseInt(f[0]);
        Dtype wire = Dtype.parse(f[1]);
        ReduceOp op = ReduceOp.valueOf(f[2]);
        float[][] all = new float[world][];
        for (int r = 0; r < world; r++) {
          all[r] = values(c, r, count);
        }
        FloatBuffer b =
            ByteBuffer.allocateDirect(count * Float.BYTES)
                .order(ByteOrder.nativeOrder())
                .asFloatBuffer();
        b.put(all[rank]).flip();
        long t0 = System.nanoTime();
        ring.allReduce(b, op, step++, wire);
        long millis = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("RESULT %d %s %d %d%n", c, sha256(b), wrong(b, all, op, wire), millis);
        System.out.flush();
      }
      ring.barrier(step);
      System.out.println("DONE");
      System.out.flush();
    }
    System.exit(0);
  }

  private static void rounds(CommConfig config, int rank, int world, int count, BufferedReader in)
      throws Exception {
    int length = 100_003; // a few dozen datagrams per step, the last one short
    float[][] all = new float[world][];
    for (int r = 0; r < world; r++) {
      all[r] = values(100, r, length);
    }
    FloatBuffer b =
        ByteBuffer.allocateDirect(length * Float.BYTES)
            .order(ByteOrder.nativeOrder())
            .asFloatBuffer();
    for (int round = 0; round < count; round++) {
      long closeStart = 0;
      try (AeronRing ring =
          AeronRing.bind(config, new RingJob(7, round, rank, world), "lab-round", 0)) {
        System.out.println("ENDPOINT " + ring.localEndpoint());
        System.out.flush();
        String line = in.readLine();
        ring.connect(Arrays.asList(line.substring("ENDPOINTS ".length()).split(",")));
        ring.barrier(0);
        b.clear();
        b.put(all[rank]).flip();
        ring.allReduce(b, ReduceOp.SUM, 1, Dtype.FP32);
        System.out.println("ROUND " + round + " " + wrong(b, all, ReduceOp.SUM, Dtype.FP32));
        System.out.flush();
        closeStart = System.nanoTime();
      } catch (RuntimeException e) {
        System.out.println(
            "FAILED " + round + " " + String.valueOf(e.getMessage()).replace('\n', ' '));
        System.out.flush();
        System.exit(3);
      }
      System.out.println("CLOSED " + round + " " + (System.nanoTime() - closeStart) / 1_000_000);
      System.out.flush();
    }
  }

  private static void loop(AeronRing ring, int rank, long step) {
    FloatBuffer b =
        ByteBuffer.allocateDirect(4 << 20).order(ByteOrder.nativeOrder()).asFloatBuffer();
    b.put(values(0, rank, b.capacity())).flip();
    long t0 = System.nanoTime();
    try {
      while (true) {
        t0 = System.nanoTime();
        ring.allReduce(b, ReduceOp.SUM, step++, Dtype.FP32);
        System.out.println("STEP " + step);
        System.out.flush();
      }
    } catch (RuntimeException e) {
      System.out.printf(
          "FAILED %d %s%n",
          (System.nanoTime() - t0) / 1_000_000, String.valueOf(e.getMessage()).replace('\n', ' '));
      System.out.flush();
      System.exit(3);
    }
  }

  /** Rank {@code rank}'s vector of case {@code c}: normal values spread over 2^-8 .. 2^8. */
  static float[] values(int c, int rank, int count) {
    SplittableRandom random = new SplittableRandom(1000L * c + rank);
    float[] v = new float[count];
    for (int i = 0; i < count; i++) {
      v[i] = (float) (random.nextGaussian() * Math.scalb(1.0, random.nextInt(-8, 9)));
    }
    return v;
  }

  private static long wrong(FloatBuffer b, float[][] all, ReduceOp op, Dtype wire) {
    int world = all.length;
    int length = b.limit();
    float[] element = new float[world];
    long wrong = 0;
    for (int c = 0; c < world; c++) {
      long end = RingOrder.chunkStart(length, world, c + 1);
      for (int i = (int) RingOrder.chunkStart(length, world, c); i < end; i++) {
        for (int r = 0; r < world; r++) {
          element[r] = all[r][i];
        }
        float expected = RingOrder.reduce(element, c, op, wire);
        if (Float.floatToRawIntBits(expected) != Float.floatToRawIntBits(b.get(i))) {
          wrong++;
        }
      }
    }
    return wrong;
  }

  private static String sha256(FloatBuffer b) throws Exception {
    MessageDigest digest = MessageDigest.getInstance("SHA-256");
    ByteBuffer bytes = ByteBuffer.allocate(b.limit() * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asFloatBuffer().put(b.duplicate().position(0));
    digest.update(bytes.array());
    return HexFormat.of().formatHex(digest.digest());
  }
}
