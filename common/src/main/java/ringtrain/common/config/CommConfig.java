package ringtrain.common.config;

import java.time.Duration;
import java.util.List;
import ringtrain.common.config.key.CommKeys;
import ringtrain.common.config.key.ConfigKeys;
import ringtrain.common.config.key.Setting;
import ringtrain.common.error.ConfigException;

/**
 * The {@code comm} block: deadlines, bucket size and the Aeron transport settings of the ring
 * all-reduce. Each key's default, doc and check is its entry in {@link CommKeys}; validated once,
 * when the record is made; afterwards every value is trusted.
 *
 * @param timeout every collective wait ends after this long without progress
 * @param bucketMb gradient bucket size in MiB
 * @param mtu Aeron MTU in bytes (a multiple of 32, at most 65504)
 * @param socketBufferBytes UDP send and receive socket buffer size, also the receive window
 * @param termLength Aeron term length in bytes (a power of two, 64 KiB to 1 GiB)
 * @param threading media driver threading mode: shared, shared_network or dedicated
 * @param idle idle strategy of the driver and the ring: adaptive, sleep, backoff, yield or
 *     busy_spin
 * @param bindHost address the ring's subscription binds to and announces to the other ranks
 * @param dir parent directory of the per-JVM media driver directories; empty = /dev/shm when it has
 *     room, else java.io.tmpdir
 * @param overlap all-reduce gradient buckets while backward is still running
 * @param transport udp (one media driver per JVM, any hosts) or ipc (one shared media driver per
 *     host and job, shared-memory logs; every rank on one host)
 * @param windowBytes receiver window in bytes; 0 = half the socket buffer (at most half a term)
 * @param retransmitLingerNs how long a sender ignores further NAKs for a range it just resent
 */
public record CommConfig(
    Duration timeout,
    int bucketMb,
    int mtu,
    int socketBufferBytes,
    int termLength,
    String threading,
    String idle,
    String bindHost,
    String dir,
    boolean overlap,
    String transport,
    int windowBytes,
    long retransmitLingerNs) {

  /** The values of {@code comm.aeron.idle}. */
  public static final List<String> IDLE_STRATEGIES =
      List.of("adaptive", "sleep", "backoff", "yield", "busy_spin");

  /** The values of {@code comm.aeron.threading}. */
  public static final List<String> THREADING_MODES =
      List.of("shared", "shared_network", "dedicated");

  /** Aeron's largest MTU: a UDP datagram of 65535 bytes less IP/UDP headers, 32-byte aligned. */
  public static final int MAX_MTU = 65504;

  /** Largest socket buffer accepted, 1 GiB: far above what kernels grant, far below overflow. */
  public static final int MAX_SOCKET_BUFFER_KB = 1 << 20;

  /** Default of {@code comm.aeron.window_kb}: half the socket buffer (see reference.conf). */
  public static final int AUTO_WINDOW = 0;

  /**
   * Checks every field with its entry in {@link CommKeys} (sizes in the keys' KiB and
   * microseconds), then what relates several fields.
   */
  public CommConfig {
    CommKeys.TIMEOUT.check(timeout);
    CommKeys.BUCKET_MB.check(bucketMb);
    CommKeys.MTU.check(mtu);
    CommKeys.SOCKET_BUFFER_KB.check((long) socketBufferBytes / 1024);
    CommKeys.TERM_LENGTH_KB.check((long) termLength / 1024);
    CommKeys.THREADING.check(threading);
    CommKeys.IDLE.check(idle);
    CommKeys.TRANSPORT.check(transport);
    CommKeys.WINDOW_KB.check(windowBytes / 1024);
    CommKeys.RETRANSMIT_LINGER_US.check(Math.toIntExact(retransmitLingerNs / 1000));
    if (socketBufferBytes % 1024 != 0 || termLength % 1024 != 0 || windowBytes % 1024 != 0) {
      throw new IllegalArgumentException("comm sizes are whole KiB, as their keys give them");
    }
    if (windowBytes != AUTO_WINDOW && (windowBytes < mtu || windowBytes > termLength / 2)) {
      throw new ConfigException(
          "comm.aeron.window_kb = "
              + windowBytes / 1024
              + " is invalid; use 0 (auto) or from one MTU ("
              + mtu
              + " bytes) to half of term_length_kb");
    }
  }

  /** Reads and validates the {@code comm} block. */
  public static CommConfig from(ConfigReader r) {
    return new CommConfig(
        CommKeys.TIMEOUT.read(r),
        CommKeys.BUCKET_MB.read(r),
        CommKeys.MTU.read(r),
        Math.toIntExact(CommKeys.SOCKET_BUFFER_KB.read(r) * 1024),
        Math.toIntExact(CommKeys.TERM_LENGTH_KB.read(r) * 1024),
        CommKeys.THREADING.read(r),
        CommKeys.IDLE.read(r),
        CommKeys.BIND_HOST.read(r),
        CommKeys.DIR.read(r),
        CommKeys.OVERLAP.read(r),
        CommKeys.TRANSPORT.read(r),
        Math.multiplyExact(CommKeys.WINDOW_KB.read(r), 1024),
        CommKeys.RETRANSMIT_LINGER_US.read(r) * 1000L);
  }

  /**
   * The comm settings of {@code settings} over the defaults of every key, for programs that run
   * without a job file (benchmarks, rank processes of tests), e.g. {@code
   * CommConfig.of(CommKeys.TIMEOUT.is(Duration.ofSeconds(5)), CommKeys.TRANSPORT.is("ipc"))}.
   */
  public static CommConfig of(Setting... settings) {
    return from(new ConfigReader(ConfigKeys.defaultsWith(settings)));
  }

  /** Every comm key at its default (the defaults of conf/reference.conf, a test checks). */
  public static CommConfig defaults() {
    return of();
  }

  /** Bucket size in bytes. */
  public long bucketBytes() {
    return (long) bucketMb << 20;
  }

  /**
   * The receiver window the media driver uses: {@link #windowBytes} or, for 0, half the socket
   * buffer (the kernel charges about twice the payload per datagram against SO_RCVBUF, so a window
   * as large as the buffer overflows it); never more than half a term.
   */
  public int effectiveWindowBytes() {
    int window = windowBytes == AUTO_WINDOW ? socketBufferBytes / 2 : windowBytes;
    return Math.min(window, termLength / 2);
  }

  /** Whether ranks talk through one shared media driver per host (aeron:ipc). */
  public boolean ipc() {
    return transport.equals("ipc");
  }
}
