package ringtrain.worker.optim;

import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The flat layout of all parameters: blocks in DL4J flat order, back to back from offset 0, each
 * with its {@link ParamRole}: weights decay, biases and normalization parameters do not, state
 * (batch-norm running statistics) is not optimized at all.
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

  /** Number of parameters with {@code role}. */
  public long count(ParamRole role) {
    long n = 0;
    for (ParamBlock block : blocks) {
      if (block.role() == role) {
        n += block.length();
      }
    }
    return n;
  }

  /** The blocks with {@code role}, in flat order. */
  public List<ParamBlock> blocks(ParamRole role) {
    return blocks.stream().filter(b -> b.role() == role && b.length() > 0).toList();
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
