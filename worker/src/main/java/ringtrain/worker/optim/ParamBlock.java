package ringtrain.worker.optim;

/** One named parameter tensor inside the flat parameter vector (DL4J flat order). */
public record ParamBlock(String name, long offset, long length, ParamRole role) {

  /** A trainable tensor: a decayed {@link ParamRole#WEIGHT} or a {@link ParamRole#NO_DECAY}. */
  public ParamBlock(String name, long offset, long length, boolean decay) {
    this(name, offset, length, decay ? ParamRole.WEIGHT : ParamRole.NO_DECAY);
  }

  /** Whether weight decay applies: only to weights. */
  public boolean decay() {
    return role == ParamRole.WEIGHT;
  }
}
