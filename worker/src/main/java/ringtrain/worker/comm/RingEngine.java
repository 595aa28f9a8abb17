package ringtrain.worker.comm;

import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.BufferClaim;
import io.aeron.logbuffer.ControlledFragmentHandler;
import io.aeron.logbuffer.Header;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The agent that moves one collective around the ring: it sends fragments to the right neighbour
 * with {@code tryClaim} on an exclusive publication and polls fragments from the left neighbour,
 * reducing them into the local vector in place. A fragment of ring step t+1 is sent as soon as the
 * same fragment of step t has arrived, so every chunk streams through the ring as a pipeline of
 * MTU-sized fragments. Runs on one thread only.
 */
final class RingEngine implements ControlledFragmentHandler {
  private final RingJob job;
  private final List<String> endpoints;
  private final ExclusivePublication publication;
  private final Subscription subscription;
  private final IdleStrategy idle;
  private final Runnable wakeDriver;
  private final NanoClock clock;
  private final long timeoutNs;
  private final int maxPayloadBytes;
  private final FrameCounters counters;
  private final BufferClaim claim = new BufferClaim();
  private final FrameHeader sendHeader = new FrameHeader();
  private final FrameHeader recvHeader = new FrameHeader();
  private final UnsafeBuffer local = new UnsafeBuffer(0, 0);
  private final PayloadChecksum checksum = new PayloadChecksum();

  private RingPlan plan;
  private int fragmentElements;
  private int sendStep;
  private int sendFragment;
  private int recvStep;
  private int recvFragment;
  private volatile long lastProgressNs;

  RingEngine(
      RingJob job,
      List<String> endpoints,
      ExclusivePublication publication,
      Subscription subscription,
      IdleStrategy idle,
      Runnable wakeDriver,
      NanoClock clock,
      Duration timeout,
      FrameCounters counters) {
    this.job = job;
    this.endpoints = endpoints;
    this.publication = publication;
    this.subscription = subscription;
    this.idle = idle;
    this.wakeDriver = wakeDriver;
    this.clock = clock;
    this.timeoutNs = timeout.toNanos();
    this.maxPayloadBytes = publication.maxPayloadLength() - FrameHeader.LENGTH;
    this.counters = counters;
    this.lastProgressNs = clock.nanoTime();
  }

  /** Nanoseconds since this engine last sent or received a fragment. */
  long nanosSinceProgress() {
    return clock.nanoTime() - lastProgressNs;
  }

  /** Runs {@code plan} to completion on the vector at {@code address} (native-order floats). */
  void run(RingPlan plan, long address) {
    this.plan = plan;
    this.fragmentElements = maxPayloadBytes / plan.wireBytes();
    if (plan.length() * Float.BYTES > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("a bucket holds at most 2 GiB; split it into buckets");
    }
    int bytes = (int) (plan.length() * Float.BYTES);
    ByteBuffer view = DirectBytes.view(address, bytes); // lets the codec use SIMD kernels
    if (view != null) {
      local.wrap(view);
    } else {
      local.wrap(address, bytes);
    }
    sendStep = plan.nextSendStep(0);
    sendFragment = 0;
    recvStep = plan.nextRecvStep(0);
    recvFragment = 0;
    lastProgressNs = clock.nanoTime();
    wakeDriver.run(); // it may be parked since the last collective
    while (sendStep < plan.steps() || recvStep < plan.steps()) {
      int work = sendAvailable();
      work += subscription.controlledPoll(this, 64);
      long now = clock.nanoTime();
      if (work > 0) {
        lastProgressNs = now;
      } else if (now - lastProgressNs > timeoutNs) {
        throw new CommException(silenceMessage());
      } else if (Thread.currentThread().isInterrupted()) {
        throw new CommException(
            "rank "
                + job.rank()
                + ": the ring was closed during the "
                + plan.kindName()
                + " of step "
                + plan.step());
      }
      idle.idle(work);
    }
  }

  private int fragments(long chunkElements) {
    return (int) Math.max(1, (chunkElements + fragmentElements - 1) / fragmentElements);
  }

  private int sendAvailable() {
    int sent = 0;
    while (sendStep < plan.steps()) {
      int chunk = plan.sendChunk(sendStep);
      if (sendStep > 0 && plan.recvChunk(sendStep - 1) >= 0) {
        boolean ready =
            recvStep > sendStep - 1 || (recvStep == sendStep - 1 && recvFragment > sendFragment);
        if (!ready) {
          break;
        }
      }
      long chunkStart = plan.chunkStart(chunk);
      long chunkLength = plan.chunkLength(chunk);
      long first = chunkStart + (long) sendFragment * fragmentElements;
      int count = (int) Math.min(fragmentElements, chunkStart + chunkLength - first);
      int payloadBytes = count * plan.wireBytes();
      long result = publication.tryClaim(FrameHeader.LENGTH + payloadBytes, claim);
      if (result < 0) {
        if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED) {
          throw new CommException(
              "the publication to " + describe(job.right()) + " is closed (" + result + ")");
        }
        break;
      }
      MutableDirectBuffer out = claim.buffer();
      int headerOffset = claim.offset();
      int payloadOffset = headerOffset + FrameHeader.LENGTH;
      plan.wire().encode(local, first, count, out, payloadOffset);
      int crc = checksum.compute(out, payloadOffset, payloadBytes);
      sendHeader
          .wrap(out, headerOffset)
          .writeOp(
              plan.kind(),
              job.jobToken(),
              job.attempt(),
              plan.bucket(),
              plan.step(),
              plan.sequence(),
              job.rank())
          .writeFragment(sendStep, chunk, sendFragment, payloadBytes, crc);
      claim.commit();
      sent++;
      sendFragment++;
      if (sendFragment == fragments(chunkLength)) {
        sendFragment = 0;
        sendStep = plan.nextSendStep(sendStep + 1);
      }
    }
    return sent;
  }

  @Override
  public Action onFragment(DirectBuffer buffer, int offset, int length, Header header) {
    if (length < FrameHeader.LENGTH) {
      counters.reject(FrameReject.MALFORMED);
      return Action.CONTINUE;
    }
    FrameHeader h = recvHeader.wrap(buffer, offset);
    if (h.magic() != FrameHeader.MAGIC || h.version() != FrameHeader.VERSION) {
      counters.reject(FrameReject.MALFORMED);
      return Action.CONTINUE;
    }
    if (h.jobToken() != job.jobToken()) {
      counters.reject(FrameReject.WRONG_JOB);
      return Action.CONTINUE;
    }
    if (h.attempt() != job.attempt()) {
      counters.reject(FrameReject.WRONG_ATTEMPT);
      return Action.CONTINUE;
    }
    if (h.sequence() > plan.sequence()) {
      return Action.ABORT; // the next collective: keep it in the log until that one starts
    }
    if (h.sequence() < plan.sequence()) {
      counters.reject(FrameReject.STALE);
      return Action.CONTINUE;
    }
    if (h.step() != plan.step() || h.bucket() != plan.bucket() || h.kind() != plan.kind()) {
      counters.reject(FrameReject.WRONG_STEP);
      return Action.CONTINUE;
    }
    if (recvStep >= plan.steps()) {
      counters.reject(FrameReject.OUT_OF_ORDER);
      return Action.CONTINUE;
    }
    int chunk = plan.recvChunk(recvStep);
    long chunkStart = plan.chunkStart(chunk);
    long chunkLength = plan.chunkLength(chunk);
    long first = chunkStart + (long) recvFragment * fragmentElements;
    int count = (int) Math.min(fragmentElements, chunkStart + chunkLength - first);
    int payloadBytes = count * plan.wireBytes();
    if (h.chunk() != chunk
        || h.fragment() != recvFragment
        || h.payloadLength() != payloadBytes
        || length != FrameHeader.LENGTH + payloadBytes) {
      counters.reject(FrameReject.OUT_OF_ORDER);
      return Action.CONTINUE;
    }
    int payloadOffset = offset + FrameHeader.LENGTH;
    if (checksum.compute(buffer, payloadOffset, payloadBytes) != h.crc()) {
      counters.reject(FrameReject.BAD_CRC);
      return Action.CONTINUE;
    }
    switch (plan.recvMode(recvStep)) {
      case REDUCE -> plan.wire().addInto(buffer, payloadOffset, local, first, count);
      case REDUCE_AND_FINISH ->
          plan.wire().addIntoAndFinish(buffer, payloadOffset, local, first, count, plan.divisor());
      case COPY -> plan.wire().decode(buffer, payloadOffset, local, first, count);
    }
    recvFragment++;
    if (recvFragment == fragments(chunkLength)) {
      recvFragment = 0;
      recvStep = plan.nextRecvStep(recvStep + 1);
    }
    return Action.CONTINUE;
  }

  private String silenceMessage() {
    boolean waitingToReceive = recvStep < plan.steps();
    boolean sendBlocked =
        sendStep < plan.steps()
            && (sendStep == 0
                || plan.recvChunk(sendStep - 1) < 0
                || recvStep > sendStep - 1
                || (recvStep == sendStep - 1 && recvFragment > sendFragment));
    String what =
        plan.kindName()
            + " of step "
            + plan.step()
            + " (bucket "
            + plan.bucket()
            + ", "
            + plan.length()
            + " floats)";
    if (sendBlocked) {
      return describe(job.right())
          + " stopped accepting data for "
          + Duration.ofNanos(timeoutNs)
          + " during the "
          + what
          + (publication.isConnected() ? "" : "; it is no longer connected")
          + "; it may have died or stalled; see its executor log (rank "
          + job.rank()
          + " reporting)";
    }
    String where =
        waitingToReceive ? " at ring step " + recvStep + " fragment " + recvFragment : "";
    return describe(job.left())
        + " sent nothing for "
        + Duration.ofNanos(timeoutNs)
        + " during the "
        + what
        + where
        + "; it may have died or stalled; see its executor log (rank "
        + job.rank()
        + " reporting)";
  }

  /**
   * Raw transport bandwidth: sends {@code sendBytes} of maximum-size fragments to the right
   * neighbour and receives {@code receiveBytes} from the left, both at once, without reduction or
   * checksums. Returns the nanoseconds until both are done.
   */
  long stream(long sendBytes, long receiveBytes, long sequence) {
    long start = clock.nanoTime();
    lastProgressNs = start;
    wakeDriver.run();
    long sent = 0;
    long[] received = {0};
    ControlledFragmentHandler counter =
        (buffer, offset, length, header) -> {
          FrameHeader h = recvHeader.wrap(buffer, offset);
          if (length < FrameHeader.LENGTH) {
            counters.reject(FrameReject.MALFORMED);
            return Action.CONTINUE;
          }
          if (h.sequence() > sequence) {
            return Action.ABORT; // the next collective's first frame
          }
          if (h.sequence() < sequence || h.kind() != FrameHeader.KIND_RAW) {
            counters.reject(FrameReject.STALE);
            return Action.CONTINUE;
          }
          received[0] += h.payloadLength();
          return Action.CONTINUE;
        };
    while (sent < sendBytes || received[0] < receiveBytes) {
      int work = 0;
      while (sent < sendBytes) {
        int payload = (int) Math.min(maxPayloadBytes, sendBytes - sent);
        if (publication.tryClaim(FrameHeader.LENGTH + payload, claim) < 0) {
          break;
        }
        sendHeader
            .wrap(claim.buffer(), claim.offset())
            .writeOp(
                FrameHeader.KIND_RAW, job.jobToken(), job.attempt(), 0, -1, sequence, job.rank())
            .writeFragment(0, 0, 0, payload, 0);
        claim.commit();
        sent += payload;
        work++;
      }
      if (received[0] < receiveBytes) {
        work += subscription.controlledPoll(counter, 64);
      }
      long now = clock.nanoTime();
      if (work > 0) {
        lastProgressNs = now;
      } else if (now - lastProgressNs > timeoutNs) {
        throw new CommException(
            "raw stream stalled: sent "
                + sent
                + "/"
                + sendBytes
                + ", received "
                + received[0]
                + "/"
                + receiveBytes
                + " (rank "
                + job.rank()
                + ")");
      }
      idle.idle(work);
    }
    return clock.nanoTime() - start;
  }

  private String describe(int rank) {
    return "rank " + rank + " (host " + endpoints.get(rank) + ")";
  }
}
