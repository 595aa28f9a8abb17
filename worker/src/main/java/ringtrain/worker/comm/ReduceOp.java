package ringtrain.worker.comm;

/** Reduction applied element-wise across ranks. */
public enum ReduceOp {
  /** Element-wise sum over all ranks. */
  SUM,
  /** Element-wise sum divided by the world size. */
  AVERAGE
}
