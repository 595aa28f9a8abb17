package ringtrain.worker.comm;

/**
 * Who this rank is within which job: every frame carries the job token and stage attempt, and
 * frames of any other job or attempt are dropped.
 */
public record RingJob(long jobToken, int attempt, int rank, int worldSize) {
  public RingJob {
    if (worldSize < 1 || rank < 0 || rank >= worldSize) {
      throw new IllegalArgumentException("rank " + rank + " is not in a world of " + worldSize);
    }
  }

  /** The neighbour this rank sends to. */
  public int right() {
    return (rank + 1) % worldSize;
  }

  /** The neighbour this rank receives from. */
  public int left() {
    return (rank - 1 + worldSize) % worldSize;
  }
}
