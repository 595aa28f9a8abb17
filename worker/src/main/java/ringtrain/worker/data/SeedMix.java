package ringtrain.worker.data;

/**
 * Derives independent seeds from one user seed. The SplitMix64 finalizer spreads nearby inputs
 * (seed, seed+1, epoch 0, epoch 1) into unrelated 64-bit values, so streams never overlap.
 */
final class SeedMix {
  private SeedMix() {}

  /** The SplitMix64 output function of {@code z}. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  /** A seed for the named purpose, independent of the seeds for other purposes. */
  static long derive(long seed, long purpose) {
    return mix(seed ^ mix(purpose + 0x9e3779b97f4a7c15L));
  }
}
