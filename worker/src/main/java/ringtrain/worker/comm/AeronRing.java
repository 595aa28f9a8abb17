package ringtrain.worker.comm;

import io.aeron.ErrorCode;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.aeron.exceptions.RegistrationException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.List;
import org.agrona.BufferUtil;
import org.agrona.CloseHelper;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;
import ringtrain.common.config.CommConfig;
import ringtrain.common.numeric.Dtype;

/**
 * The ring all-reduce between separate processes over Aeron UDP. Two phases, as in a Spark barrier
 * stage: {@link #bind} starts the media driver and the subscription and tells this rank's {@link
 * #localEndpoint()}; once every rank's endpoint is known (allGather), {@link #connect} opens the
 * publication to the right neighbour.
 *
 * <p>Collectives run one at a time, in the order they were called, on the ring's own thread (its
 * {@link CollectiveQueue}); {@link #startAllReduce} queues a bucket and returns at once. A
 * collective fails with a {@link CommException} when no fragment moved for {@code comm.timeout};
 * after a failure the ring is broken and every later call fails at once. {@link #close} of a
 * healthy ring first ends its streams ({@link RingDrain}): a neighbour may still need a lost
 * datagram of this rank resent.
 */
public final class AeronRing implements Collective {
  static final int STREAM_ID = 0x5254;
  private static final String IPC_CHANNEL = "aeron:ipc";

  private final CommConfig config;
  private final RingJob job;
  private final EmbeddedDriver driver;
  private final boolean ownsDriver;
  private final Subscription subscription;
  private final FrameCounters counters = new FrameCounters();
  private final NanoClock clock;
  private final CollectiveQueue queue;
  private ExclusivePublication publication;
  private RingEngine engine;
  private long sequence;
  private long bucketStep = Long.MIN_VALUE;
  private int bucket;
  private volatile CommException broken;
  private volatile boolean closed;

  private AeronRing(
      CommConfig config, RingJob job, EmbeddedDriver driver, boolean ownsDriver, int port) {
    this.config = config;
    this.job = job;
    this.driver = driver;
    this.ownsDriver = ownsDriver;
    this.clock = SystemNanoClock.INSTANCE;
    this.subscription =
        config.ipc()
            ? driver.aeron().addSubscription(IPC_CHANNEL, ipcStream(job.rank()))
            : driver
                .aeron()
                .addSubscription("aeron:udp?endpoint=" + config.bindHost() + ":" + port, STREAM_ID);
    this.queue =
        new CollectiveQueue(
            job.rank(),
            threadName(job.rank()),
            "the ring thread",
            config.timeout(),
            () -> engine.nanosSinceProgress(),
            false);
  }

  /** The name of the thread that runs rank {@code rank}'s collectives. */
  public static String threadName(int rank) {
    return "ringtrain-comm-rank-" + rank;
  }

  /**
   * Starts a media driver for this ring (udp) or joins the one this application's ranks share on
   * this host (ipc), and binds the subscription to {@code port} (udp; 0: any).
   */
  public static AeronRing bind(CommConfig config, RingJob job, String appId, int port) {
    EmbeddedDriver driver =
        config.ipc()
            ? EmbeddedDriver.startShared(config, appId)
            : EmbeddedDriver.start(config, appId, "rank" + job.rank());
    try {
      return new AeronRing(config, job, driver, true, port);
    } catch (RuntimeException e) {
      driver.close();
      throw e;
    }
  }

  /** Binds to {@code port} (0: any) using a driver shared with others in this JVM. */
  public static AeronRing bind(CommConfig config, RingJob job, EmbeddedDriver driver, int port) {
    return new AeronRing(config, job, driver, false, port);
  }

  /**
   * {@code host:port} the other ranks send to, known once the driver has bound the socket; for ipc
   * {@code ipc:<stream>@<host>}.
   */
  public String localEndpoint() {
    if (config.ipc()) {
      return "ipc:" + subscription.streamId() + "@" + hostName();
    }
    long deadline = clock.nanoTime() + config.timeout().toNanos();
    while (true) {
      String endpoint = subscription.resolvedEndpoint();
      if (endpoint != null) {
        return endpoint;
      }
      if (clock.nanoTime() > deadline) {
        throw new ringtrain.common.error.ConfigException(
            "rank "
                + job.rank()
                + " could not bind a UDP port on comm.aeron.bind_host = "
                + config.bindHost()
                + "; set it to an address of this host, or to auto");
      }
      sleepBriefly();
    }
  }

  /**
   * Connects to the right neighbour; {@code endpoints.get(r)} is rank r's {@link #localEndpoint()}.
   * Returns once the neighbour's subscription answers.
   */
  public void connect(List<String> endpoints) {
    if (endpoints.size() != job.worldSize()) {
      throw new IllegalArgumentException(
          endpoints.size() + " endpoints for a world of " + job.worldSize());
    }
    List<String> copy = List.copyOf(endpoints);
    String right = copy.get(job.right());
    try {
      publication =
          config.ipc()
              ? driver.aeron().addExclusivePublication(IPC_CHANNEL, ipcStreamOf(copy, job.right()))
              : driver
                  .aeron()
                  .addExclusivePublication(
                      "aeron:udp?endpoint=" + right + RingDrain.lingerParam(config.timeout()),
                      STREAM_ID);
    } catch (RegistrationException e) {
      if (e.errorCode() != ErrorCode.STORAGE_SPACE) {
        throw e;
      }
      // A small /dev/shm or comm.aeron.dir: the term buffers of the ring's streams do not fit.
      throw new CommSettingException(
          "rank "
              + job.rank()
              + ": the Aeron directory "
              + driver.directory()
              + " has no room for the ring's term buffers ("
              + e.getMessage()
              + "); set comm.aeron.dir to a directory with more free space, or lower"
              + " comm.aeron.term_length_kb",
          e);
    }
    long deadline = clock.nanoTime() + config.timeout().toNanos();
    while (!publication.isConnected()) {
      if (clock.nanoTime() > deadline) {
        throw new CommException(
            "rank "
                + job.right()
                + " (host "
                + right
                + ") did not answer within "
                + config.timeout()
                + " while rank "
                + job.rank()
                + " connected the ring; is it running and reachable?");
      }
      sleepBriefly();
    }
    engine =
        new RingEngine(
            job,
            copy,
            publication,
            subscription,
            EmbeddedDriver.ringIdleStrategy(config.idle()),
            driver::wake,
            clock,
            config.timeout(),
            counters);
  }

  /** The ipc stream rank {@code r} subscribes to: one per rank in the shared driver. */
  private static int ipcStream(int r) {
    return STREAM_ID + 1 + r;
  }

  /** The ipc stream of rank {@code r}; every rank must be on this host (ipc:stream@host). */
  private int ipcStreamOf(List<String> endpoints, int r) {
    String mine = localEndpoint();
    String host = mine.substring(mine.indexOf('@') + 1);
    for (int other = 0; other < endpoints.size(); other++) {
      String e = endpoints.get(other);
      if (!e.startsWith("ipc:") || !e.endsWith("@" + host)) {
        throw new CommSettingException(
            "comm.aeron.transport = ipc needs every rank on one host, but rank "
                + other
                + " announced "
                + e
                + " and rank "
                + job.rank()
                + " runs on "
                + host
                + "; use comm.aeron.transport = udp across hosts");
      }
    }
    String e = endpoints.get(r);
    return Integer.parseInt(e.substring("ipc:".length(), e.indexOf('@')));
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }

  @Override
  public int rank() {
    return job.rank();
  }

  @Override
  public int worldSize() {
    return job.worldSize();
  }

  /** Frames dropped so far, by reason. */
  public FrameCounters counters() {
    return counters;
  }

  /** All-reduce with {@code wire} values on the network, summed in FP32. */
  @Override
  public void allReduce(FloatBuffer buffer, ReduceOp op, long step, Dtype wire) {
    startAllReduce(buffer, op, step, wire).await();
  }

  /** Queues one bucket; the buffer belongs to the ring until the handle's await() returns. */
  @Override
  public synchronized PendingReduce startAllReduce(
      FloatBuffer buffer, ReduceOp op, long step, Dtype wire) {
    long length = buffer.remaining();
    RingPlan plan = RingPlan.allReduce(job, step, nextBucket(step), sequence++, length, op, wire);
    return submit(plan, buffer);
  }

  @Override
  public synchronized void reduceScatter(FloatBuffer buffer, ReduceOp op, long step, Dtype wire) {
    long length = buffer.remaining();
    RingPlan plan =
        RingPlan.reduceScatter(job, step, nextBucket(step), sequence++, length, op, wire);
    submit(plan, buffer).await();
  }

  @Override
  public synchronized void allGather(FloatBuffer buffer, long step, Dtype wire) {
    long length = buffer.remaining();
    RingPlan plan = RingPlan.allGather(job, step, nextBucket(step), sequence++, length, wire);
    submit(plan, buffer).await();
  }

  @Override
  public synchronized void broadcast(FloatBuffer buffer, int root, long step) {
    if (root < 0 || root >= job.worldSize()) {
      throw new IllegalArgumentException("root " + root + " is not a rank of " + job.worldSize());
    }
    RingPlan plan =
        RingPlan.broadcast(job, step, nextBucket(step), sequence++, buffer.remaining(), root);
    submit(plan, buffer).await();
  }

  @Override
  public synchronized void barrier(long step) {
    submit(RingPlan.barrier(job, step, nextBucket(step), sequence++), null).await();
  }

  /**
   * Measures the raw Aeron bandwidth of this ring's links: sends {@code sendBytes} to the right
   * neighbour while receiving {@code receiveBytes} from the left. Every rank calls it (with zeros
   * if it takes no part), in the same order as the collectives. Returns the elapsed nanoseconds.
   */
  public long measureStream(long sendBytes, long receiveBytes) {
    long seq;
    synchronized (this) {
      if (engine == null || closed) {
        throw new IllegalStateException("connect() the ring before using it");
      }
      seq = sequence++;
    }
    long[] elapsed = new long[1];
    queue
        .submit(
            "the stream measurement",
            () -> elapsed[0] = engine.stream(sendBytes, receiveBytes, seq))
        .await();
    return elapsed[0];
  }

  private int nextBucket(long step) {
    if (step != bucketStep) {
      bucketStep = step;
      bucket = 0;
    }
    return bucket++;
  }

  private PendingReduce submit(RingPlan plan, FloatBuffer buffer) {
    if (closed) {
      throw new CommException("rank " + job.rank() + ": the ring is closed");
    }
    if (engine == null) {
      throw new IllegalStateException("connect() the ring before using it");
    }
    return queue.submit("step " + plan.step(), () -> execute(plan, buffer));
  }

  private void execute(RingPlan plan, FloatBuffer buffer) {
    if (broken != null) {
      throw new CommException("the ring is broken by an earlier failure: " + broken.getMessage());
    }
    try {
      if (plan.roundedChunk() >= 0) {
        roundChunk(plan, buffer);
      }
      if (buffer == null || plan.length() == 0) {
        engine.run(plan, 0);
      } else if (buffer.isDirect() && buffer.order() == ByteOrder.nativeOrder()) {
        engine.run(plan, address(buffer));
      } else {
        runStaged(plan, buffer);
      }
    } catch (CommException e) {
      broken = e;
      throw e;
    } catch (RuntimeException e) {
      broken = new CommException("rank " + job.rank() + ": " + e, e);
      throw broken;
    }
  }

  /** Rounds one chunk of {@code buffer} to the plan's wire type, as sending it would. */
  private static void roundChunk(RingPlan plan, FloatBuffer buffer) {
    Dtype wire = plan.wire().dtype();
    int base = buffer.position() + (int) plan.chunkStart(plan.roundedChunk());
    int end = base + (int) plan.chunkLength(plan.roundedChunk());
    for (int i = base; i < end; i++) {
      buffer.put(i, wire.round(buffer.get(i)));
    }
  }

  /** Heap or foreign-order buffers go through a direct copy. */
  private void runStaged(RingPlan plan, FloatBuffer buffer) {
    ByteBuffer staging =
        ByteBuffer.allocateDirect(Math.toIntExact(plan.length() * Float.BYTES))
            .order(ByteOrder.nativeOrder());
    FloatBuffer view = staging.asFloatBuffer();
    view.put(buffer.duplicate());
    view.flip(); // address() counts from position(): the engine must see the copy's start
    engine.run(plan, address(view));
    buffer.duplicate().put(view);
  }

  private static long address(FloatBuffer buffer) {
    long base = UnsafeApi.getLong(buffer, BufferUtil.BYTE_BUFFER_ADDRESS_FIELD_OFFSET);
    return base + (long) buffer.position() * Float.BYTES;
  }

  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    try {
      if (!queue.shutdown(config.timeout().plusSeconds(1))) {
        throw new CommException("rank " + job.rank() + ": the ring thread did not stop");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      // A healthy ring ends its streams first: its right neighbour may still need a resend.
      if (broken == null
          && publication != null
          && queue.isTerminated()
          && !config.ipc()
          && job.worldSize() > 1) {
        RingDrain.closeAndDrain(
            driver.aeron(), publication, subscription, config.timeout(), clock, "rank " + rank());
      }
      if (broken != null) {
        // A broken ring may have lost its media driver (a killed rank owned the shared one):
        // closing must not raise a second error over the one the ring already reported.
        CloseHelper.quietCloseAll(publication, subscription);
      } else {
        CloseHelper.closeAll(publication, subscription);
      }
      if (ownsDriver) {
        driver.close();
      }
    }
  }

  private static void sleepBriefly() {
    try {
      Thread.sleep(1);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CommException("interrupted while connecting the ring", e);
    }
  }
}
