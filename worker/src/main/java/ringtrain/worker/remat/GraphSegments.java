package ringtrain.worker.remat;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.graph.vertex.VertexIndices;

/**
 * How a single-input, single-output ComputationGraph is cut into recomputation segments. Vertices
 * are taken in DL4J's topological order (the order its forward runs them in); a position is an
 * <em>articulation</em> (a checkpoint candidate) when no edge jumps over it, i.e. every
 * input-to-output path passes through that vertex, so its output alone is all the later vertices
 * need. The blocks between consecutive articulations are grouped into segments by {@link Segments},
 * as a MultiLayerNetwork's layers are.
 *
 * <p>Segment s covers positions {@code [first(s), end(s))}; its input is the output of the vertex
 * at {@link #boundary(int)}, the articulation just before it (the network input for segment 0).
 * Every edge leaving a segment's boundary ends inside that segment.
 */
public final class GraphSegments {
  private final int[] order;
  private final int[] position;
  private final int[] cuts;
  private final Segments blocks;

  private GraphSegments(int[] order, int[] position, int[] cuts, Segments blocks) {
    this.order = order;
    this.position = position;
    this.cuts = cuts;
    this.blocks = blocks;
  }

  /**
   * @param configured {@code remat.segments}: 0 off (one segment), -1 about √B, n segments (at most
   *     B), where B is the number of blocks between articulation vertices
   */
  public static GraphSegments of(ComputationGraph graph, int configured) {
    int[] order = graph.topologicalSortOrder().clone();
    GraphVertex[] vertices = graph.getVertices();
    int[] position = new int[vertices.length];
    for (int p = 0; p < order.length; p++) {
      position[order[p]] = p;
    }
    List<Integer> cuts = new ArrayList<>();
    // The furthest position any edge from an earlier vertex reaches: p is an articulation when no
    // earlier edge goes beyond it.
    int reach = 0;
    for (int p = 0; p < order.length; p++) {
      if (reach <= p) {
        cuts.add(p);
      }
      VertexIndices[] outputs = vertices[order[p]].getOutputVertices();
      if (outputs != null) {
        for (VertexIndices o : outputs) {
          reach = Math.max(reach, position[o.getVertexIndex()]);
        }
      }
    }
    int[] cutArray = cuts.stream().mapToInt(Integer::intValue).toArray();
    return new GraphSegments(
        order, position, cutArray, Segments.of(configured, cutArray.length - 1));
  }

  /** Number of segments. */
  public int count() {
    return blocks.count();
  }

  /** First topological position of segment {@code s}. */
  public int first(int s) {
    return cuts[blocks.first(s)] + 1;
  }

  /** One past the last topological position of segment {@code s}. */
  public int end(int s) {
    return cuts[blocks.end(s)] + 1;
  }

  /** The position whose output is segment {@code s}'s input (0, the network input, for s = 0). */
  public int boundary(int s) {
    return cuts[blocks.first(s)];
  }

  /** Number of vertices, the network input included. */
  public int size() {
    return order.length;
  }

  /** DL4J's index of the vertex at topological position {@code p}. */
  public int vertexAt(int p) {
    return order[p];
  }

  /** Topological position of the vertex with DL4J index {@code vertex}. */
  public int positionOf(int vertex) {
    return position[vertex];
  }

  /** Topological positions of the articulation vertices, the input and the output included. */
  public int[] articulations() {
    return cuts.clone();
  }
}
