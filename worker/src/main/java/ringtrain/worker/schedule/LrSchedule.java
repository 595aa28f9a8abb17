package ringtrain.worker.schedule;

/** A learning-rate schedule: a pure function of the 0-based optimizer step. */
public interface LrSchedule {
  /** The learning rate of optimizer step {@code step} (0-based, ≥ 0). */
  double lr(long step);
}
