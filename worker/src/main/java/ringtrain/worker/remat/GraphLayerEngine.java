package ringtrain.worker.remat;

import java.util.Arrays;
import java.util.Optional;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.layers.IOutputLayer;
import org.deeplearning4j.nn.conf.BackpropType;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.graph.vertex.VertexIndices;
import org.deeplearning4j.nn.graph.vertex.impl.FrozenVertex;
import org.deeplearning4j.nn.graph.vertex.impl.LayerVertex;
import org.deeplearning4j.nn.layers.FrozenLayer;
import org.deeplearning4j.nn.layers.FrozenLayerWithBackprop;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import ringtrain.worker.model.LayerListener;
import ringtrain.worker.model.TrainableModel;
import ringtrain.worker.optim.ParamLayout;
import ringtrain.worker.precision.LowPrecisionGrid;

/**
 * Runs a single-input, single-output {@link ComputationGraph} vertex by vertex, the way DL4J's
 * {@code computeGradientAndScore} does (forward in topological order with the output layer's
 * forward folded into its backward; backward in reverse, an input's error the in-place sum of its
 * consumers' errors in the order they finish), so that ringtrain controls what is kept between the
 * two passes. It does for graphs what {@link LayerEngine} does for layer stacks:
 *
 * <ul>
 *   <li><b>Recomputation</b>: checkpoints sit at articulation vertices ({@link GraphSegments});
 *       forward keeps only each segment's input, backward re-runs a segment's forward from its
 *       input and the random generator state saved there, so dropout masks repeat and the gradients
 *       are bitwise those of the plain path. Layers reading a checkpoint may not overwrite their
 *       input, which must survive for the re-run.
 *   <li><b>Overlap</b>: layer vertices are reported to a {@link LayerListener} as their backward
 *       finishes, in reverse topological order, which is reverse flat-parameter order.
 *   <li><b>Low precision</b>: vertex outputs, errors and gradients rounded to the compute grid; the
 *       loss gradient multiplied by the loss scale at the output layer.
 * </ul>
 */
public final class GraphLayerEngine implements LayerwiseEngine {
  private final ComputationGraph graph;
  private final GraphVertex[] vertices;
  private final GraphSegments plan;
  private final LowPrecisionGrid grid;
  private final ParamLayout layout;
  private final int outputPosition;

  /** Per topological position: the layer's index in flat order, or -1 for a non-layer vertex. */
  private final int[] layerAt;

  private final long[] layerOffsets;
  private final long[] heldBytes;
  private final ActivationMeter meter = new ActivationMeter();
  private double lossScale = 1.0;
  private LayerListener listener;

  /**
   * @param segmentsConfigured {@code remat.segments}: 0 off, -1 about √B, n segments
   * @param grid where outputs, errors and gradients are rounded (FP32: nowhere)
   * @throws IllegalArgumentException naming the vertex this engine cannot run ({@link
   *     #unsupported})
   */
  public GraphLayerEngine(ComputationGraph graph, int segmentsConfigured, LowPrecisionGrid grid) {
    unsupported(graph)
        .ifPresent(
            reason -> {
              throw new IllegalArgumentException(reason);
            });
    this.graph = graph;
    this.vertices = graph.getVertices();
    this.plan = GraphSegments.of(graph, segmentsConfigured);
    this.grid = grid;
    this.layout = TrainableModel.of(graph).layout();
    this.outputPosition = plan.size() - 1;
    this.layerAt = new int[plan.size()];
    this.layerOffsets = offsets(graph, plan, layerAt);
    this.heldBytes = new long[plan.size()];
    graph.initGradientsView();
    protectCheckpoints();
  }

  /**
   * Why this engine cannot run {@code graph}, naming the vertex, or empty when it can: frozen
   * vertices (DL4J skips their backward), parameters outside a layer or not in topological order,
   * truncated BPTT, an output that is not an output layer, a vertex feeding nothing.
   */
  public static Optional<String> unsupported(ComputationGraph graph) {
    if (graph.getNumInputArrays() != 1 || graph.getNumOutputArrays() != 1) {
      return Optional.of("the graph has more than one input or output");
    }
    if (graph.getConfiguration().getBackpropType() == BackpropType.TruncatedBPTT) {
      return Optional.of("the graph uses truncated BPTT (backpropType = TruncatedBPTT)");
    }
    GraphVertex[] vertices = graph.getVertices();
    int[] order = graph.topologicalSortOrder();
    for (int p = 0; p < order.length; p++) {
      GraphVertex v = vertices[order[p]];
      String name = "vertex \"" + v.getVertexName() + "\"";
      Layer layer = v.hasLayer() ? v.getLayer() : null;
      if (v instanceof FrozenVertex
          || layer instanceof FrozenLayer
          || layer instanceof FrozenLayerWithBackprop) {
        return Optional.of(name + " is frozen, and DL4J gives frozen vertices no backward");
      }
      if (layer == null && v.numParams() > 0) {
        return Optional.of(
            name + " (" + v.getClass().getSimpleName() + ") holds parameters outside a layer");
      }
      boolean feedsNothing = v.getOutputVertices() == null || v.getOutputVertices().length == 0;
      if (feedsNothing && p != order.length - 1) {
        return Optional.of(name + " feeds no other vertex and is not the network's output");
      }
    }
    GraphVertex out = vertices[order[order.length - 1]];
    if (!(out instanceof LayerVertex) || !(out.getLayer() instanceof IOutputLayer)) {
      return Optional.of(
          "the output vertex \""
              + out.getVertexName()
              + "\" is not an output layer (IOutputLayer)");
    }
    try {
      offsets(graph, GraphSegments.of(graph, 0), new int[order.length]);
    } catch (IllegalArgumentException e) {
      return Optional.of(e.getMessage());
    }
    return Optional.empty();
  }

  /** Flat offsets of the layer vertices in topological order, checked to be DL4J's flat order. */
  private static long[] offsets(ComputationGraph graph, GraphSegments plan, int[] layerAt) {
    long flatOffset = graph.params().offset();
    long[] offsets = new long[graph.getLayers().length + 1];
    int k = 0;
    for (int p = 0; p < plan.size(); p++) {
      GraphVertex v = graph.getVertices()[plan.vertexAt(p)];
      layerAt[p] = -1;
      if (!v.hasLayer()) {
        continue;
      }
      long n = v.getLayer().numParams();
      if (n > 0 && v.getLayer().params().offset() - flatOffset != offsets[k]) {
        throw new IllegalArgumentException(
            "vertex \""
                + v.getVertexName()
                + "\"'s parameters are not where topological order puts them");
      }
      layerAt[p] = k;
      offsets[k + 1] = offsets[k] + n;
      k++;
    }
    return Arrays.copyOf(offsets, k + 1);
  }

  /** Layers reading a checkpoint may not overwrite it (dropout in place): the re-run needs it. */
  private void protectCheckpoints() {
    for (int s = 1; s < plan.count(); s++) {
      for (VertexIndices o : vertices[plan.vertexAt(plan.boundary(s))].getOutputVertices()) {
        GraphVertex consumer = vertices[o.getVertexIndex()];
        if (consumer.hasLayer()) {
          consumer.getLayer().allowInputModification(false);
        }
      }
    }
  }

  @Override
  public double computeGradient(DataSet batch) {
    LayerWorkspaceMgr mgr = LayerWorkspaceMgr.noWorkspaces();
    INDArray features = batch.getFeatures();
    INDArray x = grid.isIdentity() ? features : grid.roundInPlace(features.dup());
    // Preprocessors read the mini-batch size from the graph.
    graph.setInputs(x);
    graph.setLabels(batch.getLabels());
    int count = plan.count();
    INDArray[] boundary = new INDArray[count];
    long[] rootState = new long[count];
    long[] nodeState = new long[count];
    Random rng = Nd4j.getRandom();
    meter.reset();
    Arrays.fill(heldBytes, 0);
    hold(0, x);

    INDArray next = x;
    for (int s = 0; s < count; s++) {
      boundary[s] = next;
      rootState[s] = rng.rootState();
      nodeState[s] = rng.nodeState();
      if (s == 0) {
        deliver(0, x, plan.size(), mgr);
      }
      next = forward(s, mgr, false);
      if (s < count - 1) {
        dropSegment(s);
      }
    }

    LayerVertex outVertex = (LayerVertex) vertices[plan.vertexAt(outputPosition)];
    IOutputLayer output = (IOutputLayer) outVertex.getLayer();
    output.setLabels(batch.getLabels());
    outVertex.getLayer().setMaskArray(null);
    boolean[] epsilonSet = new boolean[vertices.length];
    double score = Double.NaN;
    long endRoot = 0;
    long endNode = 0;
    for (int s = count - 1; s >= 0; s--) {
      if (s < count - 1) {
        rng.setStates(rootState[s], nodeState[s]);
        deliver(plan.boundary(s), boundary[s], plan.end(s), mgr);
        forward(s, mgr, true);
      }
      for (int p = plan.end(s) - 1; p >= plan.first(s); p--) {
        GraphVertex v = vertices[plan.vertexAt(p)];
        Pair<Gradient, INDArray[]> result = v.doBackward(false, mgr);
        INDArray[] epsilons = result.getSecond();
        if (p == outputPosition) {
          score = outVertex.computeScore(graph.calcRegularizationScore(true), true, mgr);
          endRoot = rng.rootState();
          endNode = rng.nodeState();
          if (lossScale != 1.0) {
            v.getLayer().getGradientsViewArray().muli(lossScale);
            for (INDArray e : epsilons) {
              if (e != null) {
                e.muli(lossScale);
              }
            }
          }
        }
        if (layerAt[p] >= 0 && v.getLayer().numParams() > 0) {
          grid.roundInPlace(v.getLayer().getGradientsViewArray());
        }
        for (INDArray e : epsilons) {
          if (e != null) {
            grid.roundInPlace(e);
          }
        }
        passDown(v, epsilons, epsilonSet);
        if (listener != null && layerAt[p] >= 0) {
          listener.layerDone(layerAt[p]);
        }
      }
      for (int p = plan.first(s); p < plan.end(s); p++) {
        vertices[plan.vertexAt(p)].clear();
        release(p);
      }
      boundary[s] = null;
    }
    output.setLabels(null);
    vertices[plan.vertexAt(0)].clear();
    release(0);
    // Leave the generator where the plain path leaves it, not where the last re-run left it.
    rng.setStates(endRoot, endNode);
    return score;
  }

  /**
   * Runs segment {@code s} forward; its input is already set on the vertices reading it. Returns
   * the output of its last vertex (null when that is the output layer, whose forward DL4J folds
   * into its backward). A re-run does not hand its last output on: the next segment is done.
   */
  private INDArray forward(int s, LayerWorkspaceMgr mgr, boolean recompute) {
    INDArray out = null;
    for (int p = plan.first(s); p < plan.end(s); p++) {
      if (p == outputPosition) {
        return null;
      }
      out = vertices[plan.vertexAt(p)].doForward(true, mgr);
      grid.roundInPlace(out);
      boolean last = p == plan.end(s) - 1;
      if (!(recompute && last)) {
        hold(p, out);
      }
      deliver(p, out, recompute ? plan.end(s) : plan.size(), mgr);
    }
    return out;
  }

  /** Sets {@code out}, the output of position {@code p}, on its consumers before {@code limit}. */
  private void deliver(int p, INDArray out, int limit, LayerWorkspaceMgr mgr) {
    VertexIndices[] consumers = vertices[plan.vertexAt(p)].getOutputVertices();
    if (consumers == null) {
      return;
    }
    for (VertexIndices o : consumers) {
      if (plan.positionOf(o.getVertexIndex()) < limit) {
        vertices[o.getVertexIndex()].setInput(o.getVertexEdgeNumber(), out, mgr);
      }
    }
  }

  /**
   * Hands {@code v}'s input errors to the vertices feeding it: the first consumer to finish sets a
   * vertex's error, later ones add to it in place (DL4J's order, hence its rounding).
   */
  private void passDown(GraphVertex v, INDArray[] epsilons, boolean[] epsilonSet) {
    VertexIndices[] inputs = v.getInputVertices();
    if (inputs == null) {
      return;
    }
    int j = 0;
    for (VertexIndices in : inputs) {
      GraphVertex source = vertices[in.getVertexIndex()];
      if (epsilonSet[in.getVertexIndex()]) {
        INDArray current = source.getEpsilon();
        if (current != null) {
          source.setEpsilon(current.addi(epsilons[j++]));
        }
      } else {
        source.setEpsilon(epsilons[j++]);
      }
      epsilonSet[in.getVertexIndex()] = true;
    }
  }

  /** Forgets the activations inside segment {@code s}; its last output is the next checkpoint. */
  private void dropSegment(int s) {
    for (int p = plan.first(s); p < plan.end(s); p++) {
      vertices[plan.vertexAt(p)].clear();
      if (p < plan.end(s) - 1) {
        release(p);
      }
    }
  }

  private void hold(int p, INDArray out) {
    heldBytes[p] = out.length() * out.dataType().width();
    meter.hold(heldBytes[p]);
  }

  private void release(int p) {
    meter.release(heldBytes[p]);
    heldBytes[p] = 0;
  }

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

  @Override
  public ActivationMeter meter() {
    return meter;
  }

  /** The checkpoint plan (segments between articulation vertices). */
  public GraphSegments segments() {
    return plan;
  }

  public ComputationGraph network() {
    return graph;
  }

  @Override
  public INDArray gradient() {
    return graph.getFlattenedGradients();
  }

  @Override
  public INDArray params() {
    return graph.params();
  }

  @Override
  public ParamLayout layout() {
    return layout;
  }
}
