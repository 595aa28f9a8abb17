package ringtrain.worker.optim;

import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The flat layout of all parameters: blocks in DL4J flat order, back to back from offset 0. {@code
 * decay = false} marks biases and normalization parameters, which get no weight decay.
 */
public record ParamLayout(List<ParamBlock> blocks) {

  public ParamLayout {
    blocks = List.copyOf(blocks);
    long expected = 0;
    for (ParamBlock block : blocks) {
      if (block.offset() != expected || block.length() < 0) {
        throw new IllegalArgumentException(
            "parameter block "
                + block
                + " does not follow the previous block; blocks must be contiguous from offset 0");
      }
      expected += block.length();
    }
  }

  /** Number of parameters. */
  public long size() {
    long size = 0;
    for (ParamBlock block : blocks) {
      size += block.length();
    }
    return size;
  }

  /** A new FP32 vector of shape {@code [size]}: 1 where a parameter decays, 0 elsewhere. */
  public INDArray decayMask() {
    INDArray mask = Nd4j.zeros(DataType.FLOAT, size());
    for (ParamBlock block : blocks) {
      if (block.decay() && block.length() > 0) {
        mask.get(NDArrayIndex.interval(block.offset(), block.offset() + block.length())).assign(1);
      }
    }
    return mask;
  }
}
