package ringtrain.common.config;

import java.time.Duration;
import java.util.List;
import ringtrain.common.error.ConfigException;

/**
 * The {@code comm} block: deadlines, bucket size and the Aeron transport settings of the ring
 * all-reduce. Validated once in {@link #from(ConfigReader)}; afterwards every value is trusted.
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

  /** Default of {@code comm.aeron.retransmit_linger_us}, in nanoseconds. */
  public static final long DEFAULT_RETRANSMIT_LINGER_NS = 10_000_000L;

  public CommConfig {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new ConfigException("comm.timeout = " + timeout + " must be > 0");
    }
    if (bucketMb < 1) {
      throw new ConfigException("comm.bucket_mb = " + bucketMb + " is too small; it must be >= 1");
    }
    if (mtu < 1408 || mtu > MAX_MTU || mtu % 32 != 0) {
      throw new ConfigException(
          "comm.aeron.mtu = " + mtu + " is invalid; use a multiple of 32 in [1408, 65504]");
    }
    if (socketBufferBytes < 65536) {
      throw new ConfigException(
          "comm.aeron.socket_buffer_kb = "
              + socketBufferBytes / 1024
              + " is too small; it must be >= 64");
    }
    if (!transport.equals("udp") && !transport.equals("ipc")) {
      throw new ConfigException(
          "comm.aeron.transport = " + transport + " is invalid; use udp or ipc");
    }
    if (Integer.bitCount(termLength) != 1 || termLength < 65536 || termLength > (1 << 30)) {
      throw new ConfigException(
          "comm.aeron.term_length_kb = "
              + termLength / 1024
              + " is invalid; use a power of two from 64 to 1048576");
    }
    if (windowBytes != AUTO_WINDOW && (windowBytes < mtu || windowBytes > termLength / 2)) {
      throw new ConfigException(
          "comm.aeron.window_kb = "
              + windowBytes / 1024
              + " is invalid; use 0 (auto) or from one MTU ("
              + mtu
              + " bytes) to half of term_length_kb");
    }
    if (retransmitLingerNs < 1000 || retransmitLingerNs > 1_000_000_000L) {
      throw new ConfigException(
          "comm.aeron.retransmit_linger_us = "
              + retransmitLingerNs / 1000
              + " is invalid; use 1 to 1000000");
    }
  }

  /** The settings without overlap of communication and backward. */
  public CommConfig(
      Duration timeout,
      int bucketMb,
      int mtu,
      int socketBufferBytes,
      int termLength,
      String threading,
      String idle,
      String bindHost,
      String dir) {
    this(
        timeout,
        bucketMb,
        mtu,
        socketBufferBytes,
        termLength,
        threading,
        idle,
        bindHost,
        dir,
        false,
        "udp",
        AUTO_WINDOW,
        DEFAULT_RETRANSMIT_LINGER_NS);
  }

  /** Reads and validates the {@code comm} block. */
  public static CommConfig from(ConfigReader r) {
    return new CommConfig(
        r.duration("comm.timeout"),
        r.atLeast("comm.bucket_mb", 1),
        r.integer("comm.aeron.mtu"),
        r.kibibytes("comm.aeron.socket_buffer_kb", 64, MAX_SOCKET_BUFFER_KB),
        r.kibibytes("comm.aeron.term_length_kb", 64, 1 << 20),
        r.oneOf("comm.aeron.threading", THREADING_MODES.toArray(String[]::new)),
        r.oneOf("comm.aeron.idle", IDLE_STRATEGIES.toArray(String[]::new)),
        r.string("comm.aeron.bind_host"),
        r.string("comm.aeron.dir"),
        r.bool("comm.overlap"),
        r.oneOf("comm.aeron.transport", "udp", "ipc"),
        Math.multiplyExact(r.atLeast("comm.aeron.window_kb", 0), 1024),
        Math.multiplyExact((long) r.atLeast("comm.aeron.retransmit_linger_us", 1), 1000L));
  }

  /**
   * The defaults of conf/reference.conf, for programs that run without a job config (benchmarks,
   * rank processes of tests); a test keeps the two in step.
   */
  public static CommConfig defaults() {
    return new CommConfig(
        Duration.ofSeconds(60),
        25,
        MAX_MTU,
        4 << 20,
        16 << 20,
        "shared",
        "adaptive",
        "127.0.0.1",
        "");
  }

  /** Bucket size in bytes. */
  public long bucketBytes() {
    return (long) bucketMb << 20;
  }

  /** The same settings with another timeout (tests and benchmarks). */
  public CommConfig withTimeout(Duration newTimeout) {
    return new CommConfig(
        newTimeout,
        bucketMb,
        mtu,
        socketBufferBytes,
        termLength,
        threading,
        idle,
        bindHost,
        dir,
        overlap,
        transport,
        windowBytes,
        retransmitLingerNs);
  }

  /** The same settings bound to another host address (comm.aeron.bind_host = auto). */
  public CommConfig withBindHost(String host) {
    return new CommConfig(
        timeout,
        bucketMb,
        mtu,
        socketBufferBytes,
        termLength,
        threading,
        idle,
        host,
        dir,
        overlap,
        transport,
        windowBytes,
        retransmitLingerNs);
  }

  /** The same settings over another transport, udp or ipc (tests and benchmarks). */
  public CommConfig withTransport(String newTransport) {
    return new CommConfig(
        timeout,
        bucketMb,
        mtu,
        socketBufferBytes,
        termLength,
        threading,
        idle,
        bindHost,
        dir,
        overlap,
        newTransport,
        windowBytes,
        retransmitLingerNs);
  }

  /** The same settings with another receiver window and retransmit linger (benchmarks). */
  public CommConfig withLossRecovery(int newWindowBytes, long newRetransmitLingerNs) {
    return new CommConfig(
        timeout,
        bucketMb,
        mtu,
        socketBufferBytes,
        termLength,
        threading,
        idle,
        bindHost,
        dir,
        overlap,
        transport,
        newWindowBytes,
        newRetransmitLingerNs);
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

  /** The same settings with overlap switched on or off (benchmarks). */
  public CommConfig withOverlap(boolean on) {
    return new CommConfig(
        timeout,
        bucketMb,
        mtu,
        socketBufferBytes,
        termLength,
        threading,
        idle,
        bindHost,
        dir,
        on,
        transport,
        windowBytes,
        retransmitLingerNs);
  }
}
