package ringtrain.worker.comm;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import ringtrain.common.config.CommConfig;
import ringtrain.common.config.key.CommKeys;
import ringtrain.common.numeric.Dtype;

/**
 * One rank process of the multi-process tests. Prints {@code ENDPOINT host:port}, reads {@code
 * ENDPOINTS e0,e1,...} from stdin, then runs a scenario:
 *
 * <ul>
 *   <li>{@code reduce WIRE1,WIRE2 L1,L2,...}: all-reduce (sum) each length with each wire type,
 *       print {@code RESULT length wire wrong hash} per length;
 *   <li>{@code loop}: all-reduce until it fails; print {@code READY} after the first and {@code
 *       COMMFAIL message} on the failure (exit 3).
 * </ul>
 *
 * args: rank world token timeoutMs scenario [scenario args]
 */
public final class RankMain {
  /** Environment variable naming the ring transport of the process: udp (default) or ipc. */
  static final String TRANSPORT_ENV = "RINGTRAIN_TRANSPORT";

  private RankMain() {}

  public static void main(String[] args) throws Exception {
    int rank = Integer.parseInt(args[0]);
    int world = Integer.parseInt(args[1]);
    long token = Long.parseLong(args[2]);
    Duration timeout = Duration.ofMillis(Long.parseLong(args[3]));
    String scenario = args[4];
    CommConfig config =
        CommConfig.of(
            CommKeys.TIMEOUT.is(timeout),
            CommKeys.TRANSPORT.is(System.getenv().getOrDefault(TRANSPORT_ENV, "udp")));
    try (AeronRing ring = AeronRing.bind(config, new RingJob(token, 0, rank, world), "it", 0)) {
      System.out.println("ENDPOINT " + ring.localEndpoint());
      System.out.flush();
      BufferedReader in =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      String line = in.readLine();
      List<String> endpoints = Arrays.asList(line.substring("ENDPOINTS ".length()).split(","));
      ring.connect(endpoints);
      if (scenario.equals("reduce")) {
        long step = 0;
        for (String w : args[5].split(",")) {
          Dtype wire = Dtype.parse(w);
          for (String l : args[6].split(",")) {
            int length = Integer.parseInt(l);
            FloatBuffer b = TestVectors.direct(length, rank, length);
            ring.allReduce(b, ReduceOp.SUM, step++, wire);
            long wrong = TestVectors.countWrong(b, length, world, ReduceOp.SUM, wire);
            System.out.println(
                "RESULT " + length + " " + wire + " " + wrong + " " + TestVectors.hash(b));
          }
        }
        ring.barrier(step);
        System.out.println("DONE " + ring.counters().totalRejected());
      } else {
        FloatBuffer b = TestVectors.direct(1, rank, 10_000);
        try {
          for (long step = 0; ; step++) {
            ring.allReduce(b, ReduceOp.AVERAGE, step);
            if (step == 0) {
              System.out.println("READY");
              System.out.flush();
            }
            Thread.sleep(5);
          }
        } catch (CommException e) {
          System.out.println("COMMFAIL " + e.getMessage());
          System.out.flush();
          ring.close();
          System.exit(3);
        }
      }
    }
    System.out.flush();
    System.exit(0);
  }
}
