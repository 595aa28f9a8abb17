package ringtrain.worker.remat;

/**
 * How L layers are cut into recomputation segments: {@code starts()[s]} is the first layer of
 * segment s, and a final entry L closes the last one. Segments are as even as integer division
 * allows, the longer ones last.
 */
public record Segments(int[] starts) {

  /**
   * @param configured {@code remat.segments}: 0 = off (one segment, nothing recomputed), -1 =
   *     round(√L), n = n segments (at most L)
   * @param layers number of layers L
   */
  public static Segments of(int configured, int layers) {
    if (layers < 1) {
      throw new IllegalArgumentException("a network needs at least one layer");
    }
    int count =
        switch (configured) {
          case 0 -> 1;
          case -1 -> (int) Math.max(1, Math.round(Math.sqrt(layers)));
          default -> {
            if (configured < -1) {
              throw new IllegalArgumentException("segments must be >= -1, got " + configured);
            }
            yield Math.min(configured, layers);
          }
        };
    int[] starts = new int[count + 1];
    for (int s = 0; s <= count; s++) {
      starts[s] = (int) ((long) s * layers / count);
    }
    return new Segments(starts);
  }

  public int count() {
    return starts.length - 1;
  }

  public int first(int segment) {
    return starts[segment];
  }

  /** One past the last layer of {@code segment}. */
  public int end(int segment) {
    return starts[segment + 1];
  }
}
