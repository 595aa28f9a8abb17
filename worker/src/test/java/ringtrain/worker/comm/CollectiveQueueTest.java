package ringtrain.worker.comm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CollectiveQueueTest {

  private static CollectiveQueue queue(Duration timeout, long nanosSinceProgress) {
    return new CollectiveQueue(
        3, "test-queue", "the test thread", timeout, () -> nanosSinceProgress, false);
  }

  @Test
  void shouldRunQueuedWorkOneAtATimeInTheOrderItWasQueued() throws Exception {
    CollectiveQueue queue = queue(Duration.ofSeconds(10), 0);
    List<Integer> ran = new ArrayList<>();
    List<PendingReduce> pending = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      int id = i;
      pending.add(queue.submit("step " + i, () -> ran.add(id)));
    }
    for (PendingReduce p : pending) {
      p.await();
    }
    assertThat(ran)
        .containsExactlyElementsOf(java.util.stream.IntStream.range(0, 50).boxed().toList());
    for (int i = 1; i < pending.size(); i++) {
      assertThat(pending.get(i).startNanos()).isGreaterThanOrEqualTo(pending.get(i - 1).endNanos());
    }
    assertThat(queue.shutdown(Duration.ofSeconds(5))).isTrue();
  }

  @Test
  void shouldRethrowAFailureOnTheWaitingThreadWithItsMessage() throws Exception {
    CollectiveQueue queue = queue(Duration.ofSeconds(10), 0);
    PendingReduce pending =
        queue.submit(
            "step 4",
            () -> {
              throw new CommException("rank 1 (host h:1) sent nothing for PT1S during step 4");
            });
    assertThatThrownBy(pending::await)
        .isInstanceOf(CommException.class)
        .hasMessage("rank 1 (host h:1) sent nothing for PT1S during step 4");
    assertThat(queue.shutdown(Duration.ofSeconds(5))).isTrue();
  }

  @Test
  void shouldEndTheWaitWhenTheCollectiveMakesNoProgress() throws Exception {
    // The progress clock says the collective has been silent for an hour: the wait ends after one
    // timeout even though the work itself never returns.
    CollectiveQueue queue = queue(Duration.ofMillis(100), Duration.ofHours(1).toNanos());
    CountDownLatch release = new CountDownLatch(1);
    PendingReduce pending = queue.submit("step 9", () -> awaitQuietly(release));
    long start = System.nanoTime();
    assertThatThrownBy(pending::await)
        .isInstanceOf(CommException.class)
        .hasMessageStartingWith("rank 3: the test thread made no progress for PT1H")
        .hasMessageEndingWith("(step 9)");
    assertThat(System.nanoTime() - start).isLessThan(Duration.ofSeconds(5).toNanos());
    release.countDown();
    assertThat(queue.shutdown(Duration.ofSeconds(5))).isTrue();
  }

  @Test
  void shouldFailWorkThatShutdownDroppedBeforeItRan() throws Exception {
    CollectiveQueue queue = queue(Duration.ofSeconds(10), 0);
    CountDownLatch running = new CountDownLatch(1);
    queue.submit(
        "step 1",
        () -> {
          running.countDown();
          awaitQuietly(new CountDownLatch(1));
        });
    PendingReduce queued = queue.submit("step 2", () -> {});
    assertThat(running.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(queue.shutdown(Duration.ofSeconds(5))).isTrue();
    assertThatThrownBy(queued::await)
        .isInstanceOf(CommException.class)
        .hasMessage("rank 3: the collective was closed before step 2 ran");
  }

  /** Waits for {@code latch} until released or interrupted (as a collective does on close). */
  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
