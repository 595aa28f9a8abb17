package ringtrain.worker.optim;

import java.util.List;

/** The flat layout of all parameters. */
public record ParamLayout(List<ParamBlock> blocks) {}
