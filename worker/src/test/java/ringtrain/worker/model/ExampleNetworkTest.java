package ringtrain.worker.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import ringtrain.common.config.ModelConfig;
import ringtrain.common.config.key.ModelKeys;
import ringtrain.worker.optim.ParamRole;

/** The shipped example network builds, reads images, and has its batch-norm statistics as state. */
class ExampleNetworkTest {
  private static final Path JSON = Path.of("../conf/examples/models/fashion-resnet.json");

  @Test
  void shouldBuildTheFashionResnetExampleAsAGraphOverImages() throws Exception {
    ModelConfig model =
        ModelConfig.of(
            ModelKeys.TYPE.is(ModelConfig.Type.DL4J), ModelKeys.FILE.is(JSON.toString()));
    TrainableModel net = Models.build(model, new int[] {1, 28, 28}, 10, 42);
    assertThat(net.network()).isInstanceOf(ComputationGraph.class);
    assertThat(net.imageInput()).isTrue();
    // Six batch norms (stem, two in each residual block, the down-sampling conv), mean and log-std.
    assertThat(net.layout().count(ParamRole.STATE)).isEqualTo(2 * (16 * 3 + 32 * 3));
    DataSet batch =
        new DataSet(
            Nd4j.rand(DataType.FLOAT, 4, 1, 28, 28),
            Nd4j.eye(10).getRows(0, 1, 2, 3).castTo(DataType.FLOAT));
    assertThat(net.computeGradient(batch)).isFinite();
    assertThat(Files.readString(JSON)).contains("ElementWiseVertex");
  }
}
