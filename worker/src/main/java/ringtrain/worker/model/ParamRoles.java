package ringtrain.worker.model;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.nd4j.linalg.api.ndarray.INDArray;
import ringtrain.worker.optim.ParamBlock;
import ringtrain.worker.optim.ParamLayout;
import ringtrain.worker.optim.ParamRole;

/**
 * The role table of a network, read from what each layer declares through its DL4J {@link
 * ParamInitializer}: a tensor the initializer calls a weight and of rank ≥ 2 is a {@link
 * ParamRole#WEIGHT} (decayed, PyTorch's and nanoGPT's rule); batch-norm's running mean, variance or
 * log-std is {@link ParamRole#STATE}; everything else (biases, gains, shifts, anything a layer does
 * not call a weight) is {@link ParamRole#NO_DECAY}. Offsets come from where each tensor's view sits
 * in the flat parameter vector, so the table follows DL4J's flat order whatever the network type.
 */
public final class ParamRoles {

  /** Keys of {@link BatchNormalizationParamInitializer} that hold running statistics. */
  private static final Set<String> BATCH_NORM_STATE =
      Set.of(
          BatchNormalizationParamInitializer.GLOBAL_MEAN,
          BatchNormalizationParamInitializer.GLOBAL_VAR,
          BatchNormalizationParamInitializer.GLOBAL_LOG_STD);

  private ParamRoles() {}

  /**
   * The layout of {@code flat}, the network's flat parameter vector, over its {@code layers}.
   *
   * @param names the name of each layer in block names ({@code name_key})
   */
  public static ParamLayout of(INDArray flat, Layer[] layers, List<String> names) {
    List<ParamBlock> blocks = new ArrayList<>();
    for (int i = 0; i < layers.length; i++) {
      Layer layer = layers[i];
      org.deeplearning4j.nn.conf.layers.Layer conf = layer.conf().getLayer();
      ParamInitializer init = conf.initializer();
      for (Map.Entry<String, INDArray> entry : layer.paramTable().entrySet()) {
        INDArray view = entry.getValue();
        long offset = view.offset() - flat.offset();
        ParamRole role = role(init, conf, entry.getKey(), view.rank());
        blocks.add(
            new ParamBlock(names.get(i) + "_" + entry.getKey(), offset, view.length(), role));
      }
    }
    blocks.sort(Comparator.comparingLong(ParamBlock::offset));
    ParamLayout layout = new ParamLayout(blocks);
    if (layout.size() != flat.length()) {
      throw new IllegalStateException(
          "parameter tables cover "
              + layout.size()
              + " values but the network has "
              + flat.length());
    }
    return layout;
  }

  static ParamRole role(
      ParamInitializer init, org.deeplearning4j.nn.conf.layers.Layer conf, String key, int rank) {
    if (init instanceof BatchNormalizationParamInitializer && BATCH_NORM_STATE.contains(key)) {
      return ParamRole.STATE;
    }
    if (init.isWeightParam(conf, key) && rank >= 2) {
      return ParamRole.WEIGHT;
    }
    return ParamRole.NO_DECAY;
  }
}
