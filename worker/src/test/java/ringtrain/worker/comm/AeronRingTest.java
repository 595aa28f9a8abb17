package ringtrain.worker.comm;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import ringtrain.common.config.CommConfig;
import ringtrain.common.config.ConfigReader;
import ringtrain.common.config.key.CommKeys;
import ringtrain.common.config.key.ConfigKeys;
import ringtrain.common.config.key.Setting;
import ringtrain.common.numeric.Dtype;

/** Rings of real media drivers inside this JVM (one driver per rank); processes are in the ITs. */
class AeronRingTest {

  /** reference.conf with {@code timeout} and {@code more} set. */
  static CommConfig config(Duration timeout, Setting... more) {
    Config reference = ConfigFactory.parseFile(Path.of("../conf/reference.conf").toFile());
    Config config = ConfigKeys.with(reference, CommKeys.TIMEOUT.is(timeout));
    return CommConfig.from(new ConfigReader(ConfigKeys.with(config, more)));
  }

  interface RankBody {
    void run(AeronRing ring) throws Exception;
  }

  static void inRing(int n, Duration timeout, RankBody body) throws Exception {
    inRing(n, config(timeout), body);
  }

  static void inRing(int n, CommConfig config, RankBody body) throws Exception {
    long token = 77;
    List<AeronRing> rings = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      for (int r = 0; r < n; r++) {
        rings.add(AeronRing.bind(config, new RingJob(token, 0, r, n), "test", 0));
      }
      List<String> endpoints = rings.stream().map(AeronRing::localEndpoint).toList();
      List<Future<?>> futures = new ArrayList<>();
      for (AeronRing ring : rings) {
        futures.add(
            pool.submit(
                () -> {
                  ring.connect(endpoints);
                  body.run(ring);
                  return null;
                }));
      }
      for (Future<?> f : futures) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
      closeAll(rings);
    }
  }

  /** Closes the rings at once, as separate ranks would: each close waits for its neighbour. */
  static void closeAll(List<AeronRing> rings) throws InterruptedException {
    List<Thread> closers = new ArrayList<>();
    for (AeronRing ring : rings) {
      Thread t = new Thread(ring::close, "close-rank-" + ring.rank());
      t.start();
      closers.add(t);
    }
    for (Thread t : closers) {
      t.join();
    }
  }

  @Test
  void shouldReduceEveryLengthBitwiseInRingOrder() throws Exception {
    for (int n : new int[] {2, 3}) {
      long[][] hashes = new long[n][];
      inRing(
          n,
          Duration.ofSeconds(10),
          ring -> {
            List<Long> h = new ArrayList<>();
            int step = 0;
            for (Dtype wire : Dtype.values()) {
              for (int length : new int[] {1, n - 1, 17, 70001}) {
                for (ReduceOp op : ReduceOp.values()) {
                  FloatBuffer b = TestVectors.direct(length, ring.rank(), length);
                  ring.allReduce(b, op, step++, wire);
                  assertThat(TestVectors.countWrong(b, length, n, op, wire))
                      .as("%s %s length %d", wire, op, length)
                      .isZero();
                  h.add(TestVectors.hash(b));
                }
              }
            }
            hashes[ring.rank()] = h.stream().mapToLong(Long::longValue).toArray();
          });
      for (long[] h : hashes) {
        assertThat(h).containsExactly(hashes[0]);
      }
    }
  }

  @Test
  void shouldReduceOverSharedMemoryWithOneDriverForAllRanks() throws Exception {
    int n = 3;
    CommConfig ipc = config(Duration.ofSeconds(10), CommKeys.TRANSPORT.is("ipc"));
    List<String> endpoints = new java.util.concurrent.CopyOnWriteArrayList<>();
    inRing(
        n,
        ipc,
        ring -> {
          endpoints.add(ring.localEndpoint());
          int step = 0;
          for (Dtype wire : Dtype.values()) {
            for (int length : new int[] {1, n - 1, 70001, 1_000_003}) {
              FloatBuffer b = TestVectors.direct(length, ring.rank(), length);
              ring.allReduce(b, ReduceOp.AVERAGE, step++, wire);
              assertThat(TestVectors.countWrong(b, length, n, ReduceOp.AVERAGE, wire))
                  .as("%s length %d", wire, length)
                  .isZero();
            }
          }
          FloatBuffer params = TestVectors.direct(5, ring.rank(), 100_000);
          ring.broadcast(params, 2, step++);
          assertThat(params).isEqualTo(TestVectors.direct(5, 2, 100_000));
          assertThat(ring.counters().totalRejected()).isZero();
        });
    assertThat(endpoints).hasSize(n).allMatch(e -> e.startsWith("ipc:"));
    try (var children = Files.list(EmbeddedDriver.root(ipc))) {
      assertThat(children.map(p -> p.getFileName().toString()))
          .as("the shared driver's directory and lock are gone after close")
          .noneMatch(name -> name.startsWith("test-ipc"));
    }
  }

  @Test
  void shouldRefuseIpcWhenARankIsOnAnotherHost() throws Exception {
    CommConfig ipc = config(Duration.ofSeconds(5), CommKeys.TRANSPORT.is("ipc"));
    try (AeronRing ring = AeronRing.bind(ipc, new RingJob(5, 0, 0, 2), "test-hosts", 0)) {
      String mine = ring.localEndpoint();
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> ring.connect(List.of(mine, "ipc:21078@elsewhere.example")))
          .isInstanceOf(CommException.class)
          .hasMessageContaining("needs every rank on one host")
          .hasMessageContaining("rank 1 announced ipc:21078@elsewhere.example");
    }
  }

  @Test
  void shouldBroadcastAndBarrierAndOverlapBuckets() throws Exception {
    inRing(
        3,
        Duration.ofSeconds(10),
        ring -> {
          FloatBuffer params = TestVectors.direct(5, ring.rank(), 100_000);
          ring.broadcast(params, 1, 0);
          FloatBuffer rootParams = TestVectors.direct(5, 1, 100_000);
          assertThat(params).isEqualTo(rootParams);
          ring.barrier(0);
          List<FloatBuffer> buckets = new ArrayList<>();
          List<PendingReduce> pending = new ArrayList<>();
          for (int k = 0; k < 4; k++) {
            FloatBuffer b = TestVectors.direct(100 + k, ring.rank(), 30_000 + k);
            buckets.add(b);
            pending.add(ring.startAllReduce(b, ReduceOp.AVERAGE, 1));
          }
          for (int k = 0; k < 4; k++) {
            pending.get(k).await();
            assertThat(
                    TestVectors.countWrong(
                        buckets.get(k), 100 + k, 3, ReduceOp.AVERAGE, Dtype.FP32))
                .isZero();
          }
          assertThat(ring.counters().totalRejected()).isZero();
        });
  }

  @Test
  void shouldLeaveNoThreadsOrDirectoriesAfterClose() throws Exception {
    Path root = EmbeddedDriver.root(config(Duration.ofSeconds(5)));
    inRing(2, Duration.ofSeconds(5), ring -> ring.barrier(0));
    long pid = ProcessHandle.current().pid();
    try (var children = Files.list(root)) {
      assertThat(children.map(p -> p.getFileName().toString()))
          .noneMatch(name -> name.endsWith("-" + pid));
    }
    Thread.sleep(200);
    assertThat(Thread.getAllStackTraces().keySet())
        .extracting(Thread::getName)
        .noneMatch(name -> name.startsWith("ringtrain-comm") || name.startsWith("aeron"));
  }

  @Test
  void shouldDropAndCountStrayFramesWithoutSummingThem() throws Exception {
    int length = 1_000_000;
    inRing(
        2,
        Duration.ofSeconds(10),
        ring -> {
          EmbeddedDriver injector = null;
          if (ring.rank() == 0) {
            Thread.sleep(1000); // rank 1 meets the stray frames before any real one
          } else {
            injector = injectStrayFrames(ring.localEndpoint());
          }
          FloatBuffer b = TestVectors.direct(9, ring.rank(), length);
          ring.allReduce(b, ReduceOp.SUM, 0);
          assertThat(TestVectors.countWrong(b, 9, 2, ReduceOp.SUM, Dtype.FP32)).isZero();
          if (ring.rank() == 1) {
            FrameCounters c = ring.counters();
            assertThat(c.rejected(FrameReject.WRONG_JOB)).isEqualTo(1);
            assertThat(c.rejected(FrameReject.WRONG_ATTEMPT)).isEqualTo(1);
            assertThat(c.rejected(FrameReject.WRONG_STEP)).isEqualTo(1);
            assertThat(c.rejected(FrameReject.BAD_CRC)).isEqualTo(1);
            assertThat(c.rejected(FrameReject.STALE)).isEqualTo(1);
            assertThat(c.rejected(FrameReject.MALFORMED)).isEqualTo(1);
          } else {
            assertThat(ring.counters().totalRejected()).isZero();
          }
          if (injector != null) {
            injector.close();
          }
        });
  }

  /** Frames aimed at rank 1's first receive (chunk 0, fragment 0 of all-reduce 0, step 0). */
  /** Returns the injector's driver, open: closing it at once could drop frames not yet sent. */
  private static EmbeddedDriver injectStrayFrames(String endpoint) throws InterruptedException {
    CommConfig config = config(Duration.ofSeconds(10));
    EmbeddedDriver injector = EmbeddedDriver.start(config, "test", "injector");
    try (var pub =
        injector
            .aeron()
            .addExclusivePublication("aeron:udp?endpoint=" + endpoint, AeronRing.STREAM_ID)) {
      while (!pub.isConnected()) {
        Thread.sleep(1);
      }
      int payload = (pub.maxPayloadLength() - FrameHeader.LENGTH) / 4 * 4;
      org.agrona.concurrent.UnsafeBuffer frame =
          new org.agrona.concurrent.UnsafeBuffer(new byte[FrameHeader.LENGTH + payload]);
      FrameHeader h = new FrameHeader().wrap(frame, 0);
      long[][] cases = { // token, attempt, step, sequence, crc
        {78, 0, 0, 0, 0},
        {77, 1, 0, 0, 0},
        {77, 0, 99, 0, 0},
        {77, 0, 0, 0, 12345},
        {77, 0, 0, -1, 0}
      };
      for (long[] c : cases) {
        h.writeOp(FrameHeader.KIND_ALL_REDUCE, c[0], (int) c[1], 0, c[2], c[3], 0)
            .writeFragment(0, 0, 0, payload, (int) c[4]);
        while (pub.offer(frame) < 0) {
          Thread.sleep(1);
        }
      }
      while (pub.offer(new org.agrona.concurrent.UnsafeBuffer(new byte[10])) < 0) {
        Thread.sleep(1);
      }
    }
    Thread.sleep(300); // the driver's sender thread transmits what the client wrote
    return injector;
  }
}
