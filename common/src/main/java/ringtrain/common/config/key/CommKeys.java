package ringtrain.common.config.key;

import java.time.Duration;
import java.util.List;
import ringtrain.common.config.CommConfig;

/** The {@code comm.*} keys: deadlines, buckets and the Aeron transport of the ring. */
public final class CommKeys {
  private CommKeys() {}

  public static final ConfigKey<Duration> TIMEOUT =
      ConfigKey.of(
          "comm.timeout",
          ValueType.DURATION,
          Duration.ofSeconds(60),
          "Every collective wait ends after this long; a silent neighbour becomes an error.",
          Check.that(d -> !d.isNegative() && !d.isZero(), "must be > 0"));

  public static final ConfigKey<Integer> BUCKET_MB =
      ConfigKey.of(
          "comm.bucket_mb",
          ValueType.INT,
          25,
          "Gradient bucket size in MiB; buckets are all-reduced in reverse layer order.",
          Check.atLeast(1));

  public static final ConfigKey<Boolean> OVERLAP =
      ConfigKey.of(
          "comm.overlap",
          ValueType.BOOLEAN,
          false,
          "Start each bucket's all-reduce as soon as its layers' backward is done.");

  public static final ConfigKey<String> TRANSPORT =
      ConfigKey.of(
          "comm.aeron.transport",
          ValueType.WORD,
          "udp",
          "udp: a media driver per JVM, ranks on any hosts; ipc: one shared driver, one host.",
          Check.oneOf(List.of("udp", "ipc")));

  public static final ConfigKey<Integer> MTU =
      ConfigKey.of(
          "comm.aeron.mtu",
          ValueType.INT,
          CommConfig.MAX_MTU,
          "Aeron MTU in bytes: a multiple of 32, at most 65504.",
          Check.that(
              m -> m >= 1408 && m <= CommConfig.MAX_MTU && m % 32 == 0,
              "is invalid; use a multiple of 32 in [1408, 65504]"));

  public static final ConfigKey<Long> SOCKET_BUFFER_KB =
      ConfigKey.of(
          "comm.aeron.socket_buffer_kb",
          ValueType.LONG,
          4096L,
          "UDP socket buffer size in KiB, also the base of the automatic receive window.",
          Check.between(64, CommConfig.MAX_SOCKET_BUFFER_KB));

  public static final ConfigKey<Long> TERM_LENGTH_KB =
      ConfigKey.of(
          "comm.aeron.term_length_kb",
          ValueType.LONG,
          16384L,
          "Term length of each publication in KiB, a power of two.",
          Check.between(64, 1 << 20),
          Check.powerOfTwo("is invalid; use a power of two from 64 to 1048576"));

  public static final ConfigKey<Integer> WINDOW_KB =
      ConfigKey.of(
          "comm.aeron.window_kb",
          ValueType.INT,
          CommConfig.AUTO_WINDOW,
          "Receiver window in KiB; 0 = half the socket buffer, at most half a term.",
          Check.atLeast(0),
          // Half the largest term; the record checks it against the configured term and MTU.
          Check.that(
              kb -> kb <= 1 << 19,
              "is invalid; use 0 (auto) or from one MTU to half of term_length_kb"));

  public static final ConfigKey<Integer> RETRANSMIT_LINGER_US =
      ConfigKey.of(
          "comm.aeron.retransmit_linger_us",
          ValueType.INT,
          10_000,
          "How long a sender ignores NAKs for a range it just resent, in microseconds.",
          Check.atLeast(1),
          Check.that(us -> us <= 1_000_000, "is invalid; use 1 to 1000000"));

  public static final ConfigKey<String> THREADING =
      ConfigKey.of(
          "comm.aeron.threading",
          ValueType.WORD,
          "shared",
          "Media driver threading: shared, shared_network or dedicated.",
          Check.oneOf(CommConfig.THREADING_MODES));

  public static final ConfigKey<String> IDLE =
      ConfigKey.of(
          "comm.aeron.idle",
          ValueType.WORD,
          "adaptive",
          "Idle strategy of the driver and the ring: adaptive, sleep, backoff, yield, busy_spin.",
          Check.oneOf(CommConfig.IDLE_STRATEGIES));

  public static final ConfigKey<String> BIND_HOST =
      ConfigKey.of(
          "comm.aeron.bind_host",
          ValueType.STRING,
          "127.0.0.1",
          "Address the ring binds to and announces; auto = the executor's host.");

  public static final ConfigKey<String> DIR =
      ConfigKey.of(
          "comm.aeron.dir",
          ValueType.STRING,
          "",
          "Parent of the per-JVM media driver directories; empty = /dev/shm or java.io.tmpdir.");

  /** Every {@code comm.*} key. */
  public static final List<ConfigKey<?>> ALL =
      List.of(
          TIMEOUT,
          BUCKET_MB,
          OVERLAP,
          TRANSPORT,
          MTU,
          SOCKET_BUFFER_KB,
          TERM_LENGTH_KB,
          WINDOW_KB,
          RETRANSMIT_LINGER_US,
          THREADING,
          IDLE,
          BIND_HOST,
          DIR);
}
