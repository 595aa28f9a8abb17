package ringtrain.worker.optim;

/** One named parameter tensor inside the flat parameter vector (DL4J flat order). */
public record ParamBlock(String name, long offset, long length, boolean decay) {}
