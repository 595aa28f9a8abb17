package ringtrain.worker.remat;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.misc.FrozenLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import ringtrain.common.numeric.Dtype;
import ringtrain.worker.model.Dl4jGradientEngine;
import ringtrain.worker.model.GraphModel;
import ringtrain.worker.model.NetworkSource;
import ringtrain.worker.model.TestNetworks;
import ringtrain.worker.precision.LowPrecisionGrid;

class GraphLayerEngineTest {
  private static final LowPrecisionGrid FP32 = LowPrecisionGrid.of(Dtype.FP32);

  /**
   * {@code blocks} residual blocks (dense, dropout, added to the block input), a merge of the last
   * block with the stem (an edge over every block: no articulation inside), and a softmax output.
   */
  static String residualWithDropout(int blocks, double retain, boolean longSkip) {
    var b =
        new NeuralNetConfiguration.Builder()
            .seed(3)
            .activation(Activation.TANH)
            .graphBuilder()
            .addInputs("in")
            .setInputTypes(InputType.feedForward(12))
            .addLayer("stem", new DenseLayer.Builder().nOut(16).build(), "in");
    String previous = "stem";
    for (int i = 1; i <= blocks; i++) {
      b.addLayer("d" + i, new DenseLayer.Builder().nOut(16).dropOut(retain).build(), previous);
      b.addVertex("add" + i, new ElementWiseVertex(ElementWiseVertex.Op.Add), previous, "d" + i);
      previous = "add" + i;
    }
    if (longSkip) {
      b.addVertex("merge", new MergeVertex(), previous, "stem");
      previous = "merge";
    }
    b.addLayer(
        "out",
        new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
            .nOut(5)
            .activation(Activation.SOFTMAX)
            .dropOut(retain)
            .build(),
        previous);
    ComputationGraphConfiguration conf = b.setOutputs("out").build();
    return conf.toJson();
  }

  static ComputationGraph graph(String json) {
    return (ComputationGraph) NetworkSource.build(json).network();
  }

  @ParameterizedTest(name = "retain {0}, segments {1}, long skip {2}")
  @CsvSource({
    "1.0, 0, false",
    "1.0, -1, false",
    "0.7, -1, false",
    "0.7, 2, false",
    "0.7, 9, false",
    "0.7, -1, true"
  })
  void shouldGiveBitwiseTheGradientsOfThePlainPath(double retain, int segments, boolean skip) {
    String json = residualWithDropout(6, retain, skip);
    DataSet a = LayerEngineTest.batch(16, 12, 5, 1);
    DataSet b = LayerEngineTest.batch(16, 12, 5, 2);
    float[][] plain =
        LayerEngineTest.gradients(new Dl4jGradientEngine(new GraphModel(graph(json))), a, b);
    float[][] layered =
        LayerEngineTest.gradients(new GraphLayerEngine(graph(json), segments, FP32), a, b);
    for (int i = 0; i < plain.length; i++) {
      assertThat(Arrays.equals(layered[i], plain[i])).as("output %d bitwise", i).isTrue();
    }
  }

  @Test
  void shouldGiveBitwiseTheGradientsOfThePlainPathForTheTestResidualGraph() {
    String json = TestNetworks.residualGraph(12, 24, 5);
    DataSet a = LayerEngineTest.batch(20, 12, 5, 7);
    float[][] plain =
        LayerEngineTest.gradients(new Dl4jGradientEngine(new GraphModel(graph(json))), a, a);
    float[][] remat = LayerEngineTest.gradients(new GraphLayerEngine(graph(json), -1, FP32), a, a);
    for (int i = 0; i < plain.length; i++) {
      assertThat(Arrays.equals(remat[i], plain[i])).as("output %d bitwise", i).isTrue();
    }
  }

  @Test
  void shouldCheckpointAtTheVerticesEveryPathPassesThrough() {
    ComputationGraph graph = graph(TestNetworks.residualGraph(12, 24, 5));
    GraphSegments plan = GraphSegments.of(graph, 0);
    List<String> names = new ArrayList<>();
    for (int p : plan.articulations()) {
      names.add(graph.getVertices()[plan.vertexAt(p)].getVertexName());
    }
    // stem feeds a1 and res1, res1 feeds a2 and res2: a1 and a2 are jumped over.
    assertThat(names).containsExactly("in", "stem", "res1", "res2", "out");
    assertThat(plan.count()).isEqualTo(1);
    GraphSegments four = GraphSegments.of(graph, 4);
    assertThat(four.count()).isEqualTo(4);
    for (int s = 0; s < 4; s++) {
      assertThat(graph.getVertices()[four.vertexAt(four.boundary(s))].getVertexName())
          .isEqualTo(names.get(s));
    }
    // A merge with the stem jumps over every block: nothing inside can be a checkpoint.
    GraphSegments skipped = GraphSegments.of(graph(residualWithDropout(4, 1.0, true)), -1);
    assertThat(skipped.articulations()).hasSize(4);
    assertThat(skipped.count()).isEqualTo(2);
  }

  @Test
  void shouldReportEveryLayerOnceInReverseFlatOrder() {
    ComputationGraph graph = graph(residualWithDropout(3, 1.0, false));
    GraphLayerEngine engine = new GraphLayerEngine(graph, -1, FP32);
    List<Integer> done = new ArrayList<>();
    engine.setLayerListener(done::add);
    engine.computeGradient(LayerEngineTest.batch(8, 12, 5, 3));
    // stem, d1..d3, out: five layers, the output's first.
    assertThat(done).containsExactly(4, 3, 2, 1, 0);
    long[] offsets = engine.layerOffsets();
    assertThat(offsets[offsets.length - 1]).isEqualTo(graph.numParams());
    assertThat(graph.getLayer("out").params().offset() - graph.params().offset())
        .isEqualTo(offsets[4]);
  }

  @Test
  void shouldHoldFewerActivationsWithRecomputation() {
    String json = residualWithDropout(9, 1.0, false);
    DataSet a = LayerEngineTest.batch(10, 12, 5, 5);
    GraphLayerEngine plain = new GraphLayerEngine(graph(json), 0, FP32);
    GraphLayerEngine remat = new GraphLayerEngine(graph(json), -1, FP32);
    plain.computeGradient(a);
    remat.computeGradient(a);
    assertThat(remat.segments().count()).isEqualTo(3);
    assertThat(remat.meter().peak()).isLessThan(plain.meter().peak() * 6 / 10);
    assertThat(plain.meter().live()).isZero();
    assertThat(remat.meter().live()).isZero();
  }

  @Test
  void shouldNameAFrozenVertexItCannotRun() {
    ComputationGraphConfiguration conf =
        new NeuralNetConfiguration.Builder()
            .graphBuilder()
            .addInputs("in")
            .setInputTypes(InputType.feedForward(4))
            .addLayer(
                "features", new FrozenLayer(new DenseLayer.Builder().nIn(4).nOut(8).build()), "in")
            .addLayer(
                "out",
                new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT)
                    .nOut(3)
                    .activation(Activation.SOFTMAX)
                    .build(),
                "features")
            .setOutputs("out")
            .build();
    ComputationGraph graph = graph(conf.toJson());
    assertThat(GraphLayerEngine.unsupported(graph))
        .hasValueSatisfying(reason -> assertThat(reason).contains("\"features\"", "frozen"));
    assertThat(GraphLayerEngine.unsupported(graph(TestNetworks.residualGraph(4, 8, 3)))).isEmpty();
  }
}
