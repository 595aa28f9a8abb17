package ringtrain.worker.remat;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.layers.IOutputLayer;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import ringtrain.worker.model.LayerListener;
import ringtrain.worker.model.NetworkFactory;
import ringtrain.worker.optim.ParamLayout;
import ringtrain.worker.precision.LowPrecisionGrid;

/**
 * Runs a {@link MultiLayerNetwork}'s layers one by one, the way {@code computeGradientAndScore}
 * does, so that ringtrain controls what is kept between forward and backward:
 *
 * <ul>
 *   <li><b>Recomputation</b>: the layers are cut into {@link Segments}. Forward keeps only each
 *       segment's input; backward re-runs a segment's forward just before its backward (the last
 *       segment is never recomputed: its activations are still there). The random generator's state
 *       is saved at every boundary and restored for the re-run, so dropout masks are replayed
 *       exactly and the gradients are bitwise those of the plain path.
 *   <li><b>Low precision</b>: activations, errors and gradients are rounded to the compute grid
 *       where a GPU would store them in bf16/fp16; the loss gradient is multiplied by the loss
 *       scale at the output layer (a power of two, so exact in FP32) before that rounding, which
 *       reproduces fp16 overflow.
 *   <li><b>Overlap</b>: a {@link LayerListener} hears about every layer whose gradient is final.
 * </ul>
 *
 * <p>Batch-norm running statistics in DL4J are updated from backward, which runs once per layer, so
 * recomputing a forward does not update them twice.
 */
public final class LayerEngine implements LayerwiseEngine {
  private final MultiLayerNetwork net;
  private final MultiLayerConfiguration conf;
  private final Layer[] layers;
  private final Segments segments;
  private final LowPrecisionGrid grid;
  private final ParamLayout layout;
  private final long[] layerOffsets;
  private final long[] heldBytes;
  private final ActivationMeter meter = new ActivationMeter();
  private double lossScale = 1.0;
  private LayerListener listener;

  /**
   * @param segmentsConfigured {@code remat.segments}: 0 off, -1 √L, n segments
   * @param grid where activations, errors and gradients are rounded (FP32: nowhere)
   */
  public LayerEngine(MultiLayerNetwork net, int segmentsConfigured, LowPrecisionGrid grid) {
    this.net = net;
    this.conf = net.getLayerWiseConfigurations();
    this.layers = net.getLayers();
    if (!(layers[layers.length - 1] instanceof IOutputLayer)) {
      throw new IllegalArgumentException("the last layer must be an output layer");
    }
    this.segments = Segments.of(segmentsConfigured, layers.length);
    this.grid = grid;
    this.layout = NetworkFactory.layout(net);
    this.layerOffsets = new long[layers.length + 1];
    for (int i = 0; i < layers.length; i++) {
      layerOffsets[i + 1] = layerOffsets[i] + layers[i].numParams();
    }
    this.heldBytes = new long[layers.length];
    net.initGradientsView();
  }

  @Override
  public double computeGradient(DataSet batch) {
    LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
    INDArray features = batch.getFeatures();
    int miniBatch = (int) features.size(0);
    INDArray x = grid.isIdentity() ? features : grid.roundInPlace(features.dup());
    int count = segments.count();
    INDArray[] boundary = new INDArray[count];
    long[] rootState = new long[count];
    long[] nodeState = new long[count];
    Random rng = Nd4j.getRandom();
    meter.reset();

    for (int s = 0; s < count; s++) {
      boundary[s] = x;
      rootState[s] = rng.rootState();
      nodeState[s] = rng.nodeState();
      x = forward(s, x, miniBatch, mgr, false);
      if (s < count - 1) {
        dropSegment(s);
      }
    }

    int last = layers.length - 1;
    IOutputLayer output = (IOutputLayer) layers[last];
    output.setLabels(batch.getLabels());
    INDArray epsilon = null;
    double score = Double.NaN;
    long endRoot = 0;
    long endNode = 0;
    for (int s = count - 1; s >= 0; s--) {
      if (s < count - 1) {
        rng.setStates(rootState[s], nodeState[s]);
        forward(s, boundary[s], miniBatch, mgr, true);
      }
      for (int i = segments.end(s) - 1; i >= segments.first(s); i--) {
        Pair<Gradient, INDArray> result = layers[i].backpropGradient(epsilon, mgr);
        epsilon = result.getSecond();
        if (i == last) {
          // Dropout of the output layer's input happens inside its backward; the score reuses it.
          score = output.computeScore(0.0, true, mgr);
          endRoot = rng.rootState();
          endNode = rng.nodeState();
          if (lossScale != 1.0) {
            layers[i].getGradientsViewArray().muli(lossScale);
            epsilon.muli(lossScale);
          }
        }
        InputPreProcessor pre = conf.getInputPreProcess(i);
        if (pre != null && i > 0) {
          epsilon = pre.backprop(epsilon, miniBatch, mgr);
        }
        grid.roundInPlace(layers[i].getGradientsViewArray());
        if (i > 0) {
          grid.roundInPlace(epsilon);
        }
        layers[i].clear();
        meter.release(heldBytes[i]);
        heldBytes[i] = 0;
        if (listener != null) {
          listener.layerDone(i);
        }
      }
      boundary[s] = null;
    }
    output.setLabels(null);
    // Leave the generator where the plain path leaves it, not where the last re-run left it.
    rng.setStates(endRoot, endNode);
    return score;
  }

  /**
   * Runs segment {@code s} forward from its input {@code x}; every layer keeps its input for
   * backward. Returns the segment's output (null after the output layer, whose forward DL4J folds
   * into its backward). On a re-run the segment's input is already counted as the boundary.
   */
  private INDArray forward(
      int s, INDArray x, int miniBatch, LayerWorkspaceMgr mgr, boolean recompute) {
    for (int i = segments.first(s); i < segments.end(s); i++) {
      InputPreProcessor pre = conf.getInputPreProcess(i);
      if (pre != null) {
        x = pre.preProcess(x, miniBatch, mgr);
      }
      if (!(recompute && i == segments.first(s))) {
        heldBytes[i] = x.length() * x.dataType().width();
        meter.hold(heldBytes[i]);
      }
      // Dropout may overwrite a layer's input in place; a boundary must survive for the re-run.
      layers[i].allowInputModification(i != segments.first(s));
      if (i == layers.length - 1 || (recompute && i == segments.end(s) - 1)) {
        // The output layer's forward is folded into its backward; so is a re-run segment's last
        // layer, whose output (the next boundary) is not needed again. Its dropout mask is then
        // drawn at the start of its backward, from the same generator state.
        layers[i].setInput(x, mgr);
        return null;
      }
      x = layers[i].activate(x, true, mgr);
      grid.roundInPlace(x);
    }
    return x;
  }

  /** Forgets the activations inside segment {@code s}; its input stays as the boundary. */
  private void dropSegment(int s) {
    for (int i = segments.first(s); i < segments.end(s); i++) {
      layers[i].clear();
      if (i > segments.first(s)) {
        meter.release(heldBytes[i]);
        heldBytes[i] = 0;
      }
    }
  }

  /** Multiplies the loss gradient by {@code scale} (a power of two) from the next call on. */
  @Override
  public void setLossScale(double scale) {
    this.lossScale = scale;
  }

  @Override
  public void setLayerListener(LayerListener listener) {
    this.listener = listener;
  }

  @Override
  public long[] layerOffsets() {
    return layerOffsets.clone();
  }

  public int layerCount() {
    return layers.length;
  }

  public Segments segments() {
    return segments;
  }

  @Override
  public ActivationMeter meter() {
    return meter;
  }

  public MultiLayerNetwork network() {
    return net;
  }

  @Override
  public INDArray gradient() {
    return net.getFlattenedGradients();
  }

  @Override
  public INDArray params() {
    return net.params();
  }

  @Override
  public ParamLayout layout() {
    return layout;
  }
}
