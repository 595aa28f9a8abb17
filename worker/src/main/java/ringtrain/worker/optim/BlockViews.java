package ringtrain.worker.optim;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A flat rank-1 vector together with one view per parameter block. Building views costs index
 * resolution on every call, so optimizers keep them for the arrays they see every step.
 */
final class BlockViews {
  private final INDArray all;
  private final INDArray[] blocks;

  private BlockViews(INDArray all, INDArray[] blocks) {
    this.all = all;
    this.blocks = blocks;
  }

  /** Views of {@code flat}, which must be a rank-1 vector of the layout's size. */
  static BlockViews of(INDArray flat, ParamLayout layout) {
    List<ParamBlock> list = layout.blocks();
    INDArray[] views = new INDArray[list.size()];
    for (int i = 0; i < views.length; i++) {
      ParamBlock b = list.get(i);
      views[i] =
          b.length() == 0
              ? null
              : flat.get(NDArrayIndex.interval(b.offset(), b.offset() + b.length()));
    }
    return new BlockViews(flat, views);
  }

  /** The whole vector. */
  INDArray all() {
    return all;
  }

  /** The view of block {@code i}; null for an empty block. */
  INDArray block(int i) {
    return blocks[i];
  }
}
