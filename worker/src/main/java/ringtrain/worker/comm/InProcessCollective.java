package ringtrain.worker.comm;

import java.nio.FloatBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import ringtrain.common.numeric.Dtype;

/**
 * N ranks in one JVM, one thread per rank, for tests of the training loop. The all-reduce and its
 * halves (reduce-scatter, all-gather) follow {@link RingOrder}, so their results are bitwise equal
 * to the Aeron ring's for the same wire type. Like the ring, each rank runs its collectives on its
 * own {@link CollectiveQueue}, so a started bucket overlaps with the caller's compute. Every wait
 * ends after the timeout with a {@link CommException} naming the ranks that did not arrive.
 */
public final class InProcessCollective implements Collective {
  private final Group group;
  private final int rank;
  private final CollectiveQueue queue;
  private volatile boolean closed;

  private InProcessCollective(Group group, int rank) {
    this.group = group;
    this.rank = rank;
    this.queue =
        new CollectiveQueue(
            rank,
            "ringtrain-inprocess-rank-" + rank,
            "the in-process collective",
            group.timeout,
            group::nanosSinceProgress,
            true);
  }

  /**
   * A group of {@code n} ranks; each all-reduce rounds like a ring sending the wire type it is
   * given.
   */
  public static List<Collective> group(int n, Duration timeout) {
    if (n < 1) {
      throw new IllegalArgumentException("world size must be >= 1, got " + n);
    }
    Group group = new Group(n, timeout);
    List<Collective> ranks = new ArrayList<>(n);
    for (int r = 0; r < n; r++) {
      ranks.add(new InProcessCollective(group, r));
    }
    return List.copyOf(ranks);
  }

  @Override
  public int rank() {
    return rank;
  }

  @Override
  public int worldSize() {
    return group.n;
  }

  @Override
  public void allReduce(FloatBuffer buffer, ReduceOp op, long step, Dtype wire) {
    startAllReduce(buffer, op, step, wire).await();
  }

  @Override
  public synchronized PendingReduce startAllReduce(
      FloatBuffer buffer, ReduceOp op, long step, Dtype wire) {
    return submit(new Call("all-reduce", step, buffer, op, -1, wire));
  }

  @Override
  public synchronized void reduceScatter(FloatBuffer buffer, ReduceOp op, long step, Dtype wire) {
    submit(new Call("reduce-scatter", step, buffer, op, -1, wire)).await();
  }

  @Override
  public synchronized void allGather(FloatBuffer buffer, long step, Dtype wire) {
    submit(new Call("all-gather", step, buffer, null, -1, wire)).await();
  }

  @Override
  public synchronized void broadcast(FloatBuffer buffer, int root, long step) {
    if (root < 0 || root >= group.n) {
      throw new IllegalArgumentException("root " + root + " is not a rank of " + group.n);
    }
    submit(new Call("broadcast", step, buffer, null, root, Dtype.FP32)).await();
  }

  @Override
  public synchronized void barrier(long step) {
    submit(new Call("barrier", step, null, null, -1, Dtype.FP32)).await();
  }

  private PendingReduce submit(Call call) {
    if (closed) {
      throw new CommException("rank " + rank + " is closed");
    }
    return queue.submit("step " + call.step(), () -> group.arrive(this, call));
  }

  @Override
  public void close() {
    closed = true;
    try {
      queue.shutdown(group.timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private record Call(
      String kind, long step, FloatBuffer buffer, ReduceOp op, int root, Dtype wire) {}

  /** The rendezvous all ranks of one group meet at. */
  private static final class Group {
    private final int n;
    private final Duration timeout;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Call[] calls;
    private long generation;
    private int arrived;
    private CommException failure;
    private volatile long lastProgressNs = System.nanoTime();

    Group(int n, Duration timeout) {
      this.n = n;
      this.timeout = timeout;
      this.calls = new Call[n];
    }

    void arrive(InProcessCollective member, Call call) {
      if (member.closed) {
        throw new CommException("rank " + member.rank + " is closed");
      }
      lock.lock();
      try {
        lastProgressNs = System.nanoTime();
        if (failure != null) {
          throw failure;
        }
        long myGeneration = generation;
        calls[member.rank] = call;
        arrived++;
        if (arrived == n) {
          complete();
          return;
        }
        long remaining = timeout.toNanos();
        while (generation == myGeneration && failure == null) {
          if (remaining <= 0) {
            failure = new CommException(timeoutMessage(call));
            changed.signalAll();
            break;
          }
          remaining = changed.awaitNanos(remaining);
        }
        if (generation == myGeneration) {
          throw failure;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CommException("interrupted while waiting in " + call.kind(), e);
      } finally {
        lock.unlock();
      }
    }

    /** Nanoseconds since a rank last arrived at a collective or one completed. */
    long nanosSinceProgress() {
      return System.nanoTime() - lastProgressNs;
    }

    private String timeoutMessage(Call call) {
      List<Integer> missing = new ArrayList<>();
      for (int r = 0; r < n; r++) {
        if (calls[r] == null) {
          missing.add(r);
        }
      }
      return "rank(s) "
          + missing
          + " (host in-process) did not join the "
          + call.kind()
          + " of step "
          + call.step()
          + " within "
          + timeout;
    }

    private void complete() {
      Call first = calls[0];
      for (Call c : calls) {
        if (!c.kind().equals(first.kind())
            || c.step() != first.step()
            || c.wire() != first.wire()) {
          fail("ranks disagree on the collective: " + describe());
        }
        if (c.buffer() != null && c.buffer().remaining() != first.buffer().remaining()) {
          fail("ranks passed buffers of different lengths: " + describe());
        }
      }
      switch (first.kind()) {
        case "all-reduce" -> reduce(true);
        case "reduce-scatter" -> reduce(false);
        case "all-gather" -> gather();
        case "broadcast" -> copyFromRoot(first.root());
        default -> {}
      }
      lastProgressNs = System.nanoTime();
      java.util.Arrays.fill(calls, null);
      arrived = 0;
      generation++;
      changed.signalAll();
    }

    private void fail(String message) {
      failure = new CommException(message);
      changed.signalAll();
      throw failure;
    }

    private String describe() {
      StringBuilder sb = new StringBuilder();
      for (int r = 0; r < n; r++) {
        Call c = calls[r];
        sb.append(r == 0 ? "" : ", ")
            .append("rank ")
            .append(r)
            .append(": ")
            .append(c.kind())
            .append(" step ")
            .append(c.step())
            .append(c.buffer() == null ? "" : " length " + c.buffer().remaining());
      }
      return sb.toString();
    }

    /** Every element in ring order, into every rank ({@code all}) or only the chunk's owner. */
    private void reduce(boolean all) {
      int length = calls[0].buffer().remaining();
      float[] values = new float[n];
      for (int chunk = 0; chunk < n; chunk++) {
        int start = (int) RingOrder.chunkStart(length, n, chunk);
        int end = (int) RingOrder.chunkStart(length, n, chunk + 1);
        for (int i = start; i < end; i++) {
          for (int r = 0; r < n; r++) {
            FloatBuffer b = calls[r].buffer();
            values[r] = b.get(b.position() + i);
          }
          float reduced = RingOrder.reduce(values, chunk, calls[0].op(), calls[0].wire());
          for (int r = 0; r < n; r++) {
            if (all || RingOrder.ownedChunk(r, n) == chunk) {
              FloatBuffer b = calls[r].buffer();
              b.put(b.position() + i, reduced);
            }
          }
        }
      }
    }

    /**
     * Each owner's chunk to every rank, rounded to the wire type as the ring's hops deliver it (the
     * owner keeps the rounded value too); a single rank sends nothing and rounds nothing.
     */
    private void gather() {
      int length = calls[0].buffer().remaining();
      Dtype wire = calls[0].wire();
      for (int owner = 0; owner < n; owner++) {
        ChunkRange own = RingOrder.ownedRange(length, n, owner);
        FloatBuffer source = calls[owner].buffer();
        for (int i = (int) own.start(); i < own.end(); i++) {
          float value = source.get(source.position() + i);
          float delivered = n > 1 ? wire.round(value) : value;
          for (int r = 0; r < n; r++) {
            FloatBuffer b = calls[r].buffer();
            b.put(b.position() + i, delivered);
          }
        }
      }
    }

    private void copyFromRoot(int root) {
      FloatBuffer source = calls[root].buffer();
      for (int r = 0; r < n; r++) {
        if (r != root) {
          FloatBuffer target = calls[r].buffer();
          target.duplicate().put(source.duplicate());
        }
      }
    }
  }
}
