package ringtrain.worker.comm;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.status.CountersReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends a healthy ring's streams so that no neighbour is left waiting for a lost datagram that
 * nobody can resend any more. A rank leaves its last collective as soon as it has what it needs
 * from its left neighbour, while its right neighbour may still be missing one of its datagrams; a
 * media driver closed at that moment leaves the neighbour to time out.
 *
 * <p>Aeron's own end of stream makes the wait exact: the client closes its publication; the driver
 * sends what is left and an end-of-stream mark, and keeps the stream (serving retransmissions)
 * until the receiving driver answers with an end-of-stream status message. The receiver sends that
 * only once it holds the whole stream up to the mark without a gap, or when its subscription is
 * closed (it needs nothing more). Only then does the driver release the publication and its
 * counters, which this class watches. The publication's {@code linger} (set where it is opened, to
 * comm.timeout and a little more) keeps the driver from giving up before this side does.
 *
 * <p>The subscription is closed first, so the left neighbour's own wait ends on this side's status
 * message; the driver repeats that message every status-message period while it runs, so it is kept
 * up at least {@link #STATUS_MESSAGES} periods after the subscription closed (a lost message
 * otherwise costs the neighbour its whole deadline, not a wrong result).
 */
final class RingDrain {
  private static final Logger LOG = LoggerFactory.getLogger(RingDrain.class);

  /** Aeron's status-message period (the driver's default, which the ring keeps). */
  static final long STATUS_MESSAGE_PERIOD_NS = TimeUnit.MILLISECONDS.toNanos(200);

  /** End-of-stream status messages the left neighbour gets a chance to hear (5 % loss: 1e-4). */
  static final int STATUS_MESSAGES = 3;

  private RingDrain() {}

  /** The {@code linger} parameter of the ring's publication channel for {@code timeout}. */
  static String lingerParam(Duration timeout) {
    return "|linger=" + (timeout.toNanos() + TimeUnit.SECONDS.toNanos(1));
  }

  /**
   * Closes {@code subscription} and {@code publication} and waits until the right neighbour's
   * driver holds the whole stream, or {@code timeout} passed. Returns whether it confirmed.
   */
  static boolean closeAndDrain(
      Aeron aeron,
      ExclusivePublication publication,
      Subscription subscription,
      Duration timeout,
      NanoClock clock,
      String who) {
    CountersReader counters = aeron.countersReader();
    int counterId = publication.positionLimitId();
    long registrationId = publication.registrationId();
    long start = clock.nanoTime();
    long deadline = start + timeout.toNanos();
    subscription.close();
    publication.close();
    boolean confirmed = true;
    while (counters.getCounterState(counterId) == CountersReader.RECORD_ALLOCATED
        && counters.getCounterRegistrationId(counterId) == registrationId) {
      if (clock.nanoTime() - deadline > 0) {
        LOG.warn(
            "{}: the right neighbour did not confirm the end of this rank's stream within {};"
                + " closing anyway (it may have stopped first)",
            who,
            timeout);
        confirmed = false;
        break;
      }
      if (!pause(TimeUnit.MILLISECONDS.toNanos(1))) {
        return false;
      }
    }
    long courtesyEnd = start + STATUS_MESSAGES * STATUS_MESSAGE_PERIOD_NS;
    if (confirmed && courtesyEnd - clock.nanoTime() > 0) {
      pause(courtesyEnd - clock.nanoTime());
    }
    LOG.debug("{}: streams ended in {}", who, Duration.ofNanos(clock.nanoTime() - start));
    return confirmed;
  }

  /** Sleeps; false (interrupt status kept) when interrupted. */
  private static boolean pause(long nanos) {
    try {
      TimeUnit.NANOSECONDS.sleep(nanos);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
