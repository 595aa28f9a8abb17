package ringtrain.worker.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.EmbeddingLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import ringtrain.worker.optim.ParamBlock;
import ringtrain.worker.optim.ParamLayout;
import ringtrain.worker.optim.ParamRole;

/**
 * The role table per layer type. Expected tables are written out by hand from the rule (weights of
 * rank ≥ 2 decay; biases, gains and shifts do not; batch-norm running mean and variance are state)
 * and the parameter shapes DL4J documents for each layer: dense W [nIn, nOut], b [1, nOut]; conv W
 * [nOut, nIn, kh, kw], b [1, nOut] (DL4J lays a convolution's bias out first); batch norm gamma,
 * beta, mean and log10stdev [1, n] (log-std is DL4J's default; var without it); layer norm adds
 * gain g [1, nOut]; LSTM W [nIn, 4n], RW [n, 4n], b [1, 4n]; embedding W [vocabulary, nOut], b [1,
 * nOut].
 */
class ParamRolesTest {

  private static ParamLayout layoutOf(InputType input, Layer layer) {
    var conf =
        new NeuralNetConfiguration.Builder()
            .seed(1)
            .list()
            .layer(layer)
            .setInputType(input)
            .build();
    MultiLayerNetwork net = new MultiLayerNetwork(conf);
    net.init();
    return new MultiLayerModel(net).layout();
  }

  private static ParamBlock block(String name, long offset, long length, ParamRole role) {
    return new ParamBlock(name, offset, length, role);
  }

  @Test
  void shouldDecayDenseWeightsButNotBiases() {
    ParamLayout layout =
        layoutOf(InputType.feedForward(5), new DenseLayer.Builder().nOut(3).build());
    assertThat(layout.blocks())
        .containsExactly(
            block("0_W", 0, 15, ParamRole.WEIGHT), block("0_b", 15, 3, ParamRole.NO_DECAY));
  }

  @Test
  void shouldDecayConvolutionKernelsButNotBiases() {
    ParamLayout layout =
        layoutOf(
            InputType.convolutional(6, 6, 2), new ConvolutionLayer.Builder(3, 3).nOut(4).build());
    assertThat(layout.blocks())
        .containsExactly(
            block("0_b", 0, 4, ParamRole.NO_DECAY),
            block("0_W", 4, 4 * 2 * 3 * 3, ParamRole.WEIGHT));
  }

  @Test
  void shouldKeepBatchNormRunningStatisticsAsState() {
    ParamLayout layout =
        layoutOf(InputType.feedForward(7), new BatchNormalization.Builder().build());
    assertThat(layout.blocks())
        .containsExactly(
            block("0_gamma", 0, 7, ParamRole.NO_DECAY),
            block("0_beta", 7, 7, ParamRole.NO_DECAY),
            block("0_mean", 14, 7, ParamRole.STATE),
            block("0_log10stdev", 21, 7, ParamRole.STATE));
    assertThat(layout.count(ParamRole.STATE)).isEqualTo(14);
  }

  @Test
  void shouldKeepBatchNormVarianceAsStateWithoutLogStd() {
    ParamLayout layout =
        layoutOf(
            InputType.feedForward(3), new BatchNormalization.Builder().useLogStd(false).build());
    assertThat(layout.blocks())
        .containsExactly(
            block("0_gamma", 0, 3, ParamRole.NO_DECAY),
            block("0_beta", 3, 3, ParamRole.NO_DECAY),
            block("0_mean", 6, 3, ParamRole.STATE),
            block("0_var", 9, 3, ParamRole.STATE));
  }

  @Test
  void shouldNotDecayLayerNormGain() {
    ParamLayout layout =
        layoutOf(
            InputType.feedForward(4), new DenseLayer.Builder().nOut(3).hasLayerNorm(true).build());
    assertThat(layout.blocks())
        .containsExactlyInAnyOrder(
            block("0_W", 0, 12, ParamRole.WEIGHT),
            block("0_b", 12, 3, ParamRole.NO_DECAY),
            block("0_g", 15, 3, ParamRole.NO_DECAY));
  }

  @Test
  void shouldDecayBothLstmMatricesButNotItsBias() {
    ParamLayout layout =
        layoutOf(
            InputType.recurrent(3), new LSTM.Builder().nOut(2).activation(Activation.TANH).build());
    assertThat(layout.blocks())
        .containsExactly(
            block("0_W", 0, 3 * 8, ParamRole.WEIGHT),
            block("0_RW", 24, 2 * 8, ParamRole.WEIGHT),
            block("0_b", 40, 8, ParamRole.NO_DECAY));
  }

  @Test
  void shouldDecayEmbeddingTables() {
    ParamLayout layout =
        layoutOf(null, new EmbeddingLayer.Builder().nIn(10).nOut(4).hasBias(true).build());
    assertThat(layout.blocks())
        .containsExactly(
            block("0_W", 0, 40, ParamRole.WEIGHT), block("0_b", 40, 4, ParamRole.NO_DECAY));
  }

  @Test
  void shouldNameGraphBlocksByVertexInFlatOrder() {
    TrainableModel graph = NetworkSource.build(TestNetworks.residualGraph(6, 4, 3));
    List<String> names = graph.layout().blocks().stream().map(ParamBlock::name).toList();
    assertThat(names)
        .containsExactly("stem_W", "stem_b", "a1_W", "a1_b", "a2_W", "a2_b", "out_W", "out_b");
    assertThat(graph.layout().size()).isEqualTo(graph.numParams());
    // The offsets are those of the views DL4J hands out: writing through one changes the block.
    graph.params().assign(0);
    graph.network().getParam("a1_b").assign(7);
    ParamBlock a1b = graph.layout().blocks().get(3);
    assertThat(graph.params().getFloat(a1b.offset())).isEqualTo(7f);
    assertThat(graph.params().getFloat(a1b.offset() - 1)).isEqualTo(0f);
  }
}
