package ringtrain.driver.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static ringtrain.driver.run.BitwiseParams.assertBitwiseEqual;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import ringtrain.common.error.ConfigException;

/**
 * {@code model.type = dl4j}: a user's ComputationGraph from a JSON file trains data-parallel
 * exactly, and networks from a JSON file, a model zip and the zoo each resume bit for bit.
 */
class Dl4jNetworkTest {
  @TempDir Path tmp;

  /** As in DataParallelEquivalenceTest: FP32 summation order alone, after 25 AdamW steps. */
  private static final double TOLERANCE = 1e-6;

  private Path residualJson() throws IOException {
    Path file = tmp.resolve("residual.json");
    if (!Files.exists(file)) {
      Files.writeString(file, TestNetworks.residualGraph(20, 32, 10));
    }
    return file;
  }

  private List<String> job(String... extra) throws IOException {
    List<String> job =
        new ArrayList<>(
            List.of(
                "data.format=synthetic",
                "data.synthetic.train_examples=1024",
                "data.synthetic.test_examples=256",
                "data.synthetic.features=20",
                "model.type=dl4j",
                "model.file=" + residualJson(),
                "train.steps=25",
                "train.seed=11",
                "schedule.warmup_steps=5",
                "optim.clip_norm=0.5",
                "optim.lr=0.01",
                "snapshot.at_end=false"));
    job.addAll(List.of(extra));
    return job;
  }

  private TrainRun.Result train(String name, List<String> job) {
    return new TrainRun(null, job, tmp.resolve(name), false).execute();
  }

  @Test
  void shouldTrainAResidualGraphAtTwoRanksLikeOneRankWithTheSameGlobalBatch() throws IOException {
    INDArray oneRank =
        train("n1", job("train.world_size=1", "train.micro_batch=64")).training().params();
    INDArray twoRanks =
        train("n2", job("train.world_size=2", "train.micro_batch=32")).training().params();
    INDArray initial =
        train("n0", job("train.world_size=1", "train.micro_batch=64", "optim.lr=0"))
            .training()
            .params();

    double diff = maxAbsDiff(twoRanks, oneRank);
    System.out.printf(
        "residual graph: max |N=2 - N=1| %.3g, moved %.3g%n", diff, maxAbsDiff(oneRank, initial));
    assertThat(diff).isLessThan(TOLERANCE);
    assertThat(maxAbsDiff(oneRank, initial)).isGreaterThan(1000 * TOLERANCE);
    INDArray accumulated =
        train("k2", job("train.world_size=1", "train.micro_batch=32", "train.accumulation=2"))
            .training()
            .params();
    assertThat(maxAbsDiff(accumulated, oneRank)).isLessThan(TOLERANCE);
  }

  @Test
  void shouldWriteTheTrainedGraphAsAModelZip() throws Exception {
    TrainRun.Result run = train("zip", job("train.steps=3", "schedule.warmup_steps=1"));
    ComputationGraph graph =
        ModelSerializer.restoreComputationGraph(run.runDirectory().resolve("model.zip").toFile());
    assertBitwiseEqual(graph.params().reshape(graph.numParams()), run.training().params());
    assertThat(Files.readString(run.runDirectory().resolve("plan.txt")))
        .contains("ComputationGraph")
        .contains("param roles");
    // eval needs no model settings: the zip carries the graph; the config only names the data.
    List<String> dataOnly = job().stream().filter(k -> !k.startsWith("model.")).toList();
    var eval = ModelEvaluation.evaluate(run.runDirectory().resolve("model.zip"), null, dataOnly);
    assertThat(eval.testAccuracy()).isEqualTo(run.training().eval().testAccuracy());
  }

  @Test
  void shouldResumeAJsonNetworkBitwiseWithoutTheFile() throws IOException {
    List<String> job = job("train.steps=6", "snapshot.every=3", "train.micro_batch=32");
    assertResumesBitwise(job, () -> Files.delete(residualJson()));
  }

  @Test
  void shouldStartFromTheParametersOfAModelZipAndResumeBitwise() throws IOException {
    TrainRun.Result first =
        train("source", job("train.steps=4", "schedule.warmup_steps=1", "train.micro_batch=32"));
    Path zip = first.runDirectory().resolve("model.zip");
    List<String> fromZip =
        job("train.steps=2", "schedule.warmup_steps=1", "train.micro_batch=32", "optim.lr=0");
    fromZip.set(fromZip.indexOf("model.file=" + residualJson()), "model.file=" + zip);
    // lr = 0: the run ends where it started, which must be the zip's parameters.
    assertBitwiseEqual(train("lr0", fromZip).training().params(), first.training().params());

    List<String> resumable = new ArrayList<>(fromZip);
    resumable.remove("optim.lr=0");
    resumable.addAll(List.of("train.steps=6", "snapshot.every=3"));
    assertResumesBitwise(resumable, () -> {});
  }

  @Test
  void shouldTrainAZooArchitectureAndResumeBitwise() throws IOException {
    List<String> job =
        List.of(
            "data.format=synthetic",
            "data.synthetic.train_examples=64",
            "data.synthetic.test_examples=16",
            "data.synthetic.features=784",
            "data.shape=[1, 28, 28]",
            "model.type=dl4j",
            "model.zoo=LeNet",
            "train.micro_batch=8",
            "train.steps=4",
            "train.seed=3",
            "schedule.warmup_steps=1",
            "snapshot.every=2");
    assertResumesBitwise(job, () -> {});
  }

  @Test
  void shouldRefuseAFrozenVertexForTheVertexEngineBeforeWritingAnything() throws IOException {
    Path out = tmp.resolve("refused");
    Path frozen =
        Files.writeString(tmp.resolve("frozen.json"), TestNetworks.frozenGraph(20, 8, 10));
    List<String> job = job();
    job.set(job.indexOf("model.file=" + residualJson()), "model.file=" + frozen);
    List<String> remat = new ArrayList<>(job);
    remat.add("remat.segments=-1");
    assertThatThrownBy(() -> new TrainRun(null, remat, out, false).execute())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("remat.segments")
        .hasMessageContaining("\"features\"")
        .hasMessageNotContaining("\n");
    List<String> overlap = new ArrayList<>(job);
    overlap.addAll(List.of("comm.overlap=true", "train.world_size=2"));
    assertThatThrownBy(() -> new TrainRun(null, overlap, out, false).execute())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("comm.overlap");
    List<String> bf16 = new ArrayList<>(job);
    bf16.add("precision.compute=bf16");
    assertThatThrownBy(() -> new TrainRun(null, bf16, out, false).execute())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("precision.compute");
    assertThat(out).doesNotExist();
  }

  @Test
  void shouldRefuseAnFp16WireWithoutLossScaling() {
    Path out = tmp.resolve("fp16");
    List<String> job = List.of("data.format=synthetic", "precision.comm=fp16", "train.steps=1");
    assertThatThrownBy(() -> new TrainRun(null, job, out, false).execute())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("precision.comm = fp16")
        .hasMessageNotContaining("\n");
    assertThat(out).doesNotExist();
  }

  @Test
  void shouldNameTheModelKeyWhenTheNetworkCannotBeFound() throws IOException {
    Path out = tmp.resolve("missing");
    List<String> missing = job();
    missing.set(
        missing.indexOf("model.file=" + residualJson()), "model.file=" + tmp.resolve("no.json"));
    assertThatThrownBy(() -> new TrainRun(null, missing, out, false).execute())
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("model.file = ")
        .hasMessageContaining("does not exist");
    List<String> zoo = new ArrayList<>(missing);
    zoo.removeIf(k -> k.startsWith("model.file="));
    zoo.add("model.zoo=NoSuchNet");
    assertThatThrownBy(() -> new TrainRun(null, zoo, out, false).execute())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("LeNet");
    Path garbage = Files.writeString(tmp.resolve("garbage.json"), "{\"confs\": 3}");
    List<String> bad = job();
    bad.set(bad.indexOf("model.file=" + residualJson()), "model.file=" + garbage);
    assertThatThrownBy(() -> new TrainRun(null, bad, out, false).execute())
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith("model.file is not a DL4J");
    assertThat(out).doesNotExist();
  }

  private interface Step {
    void run() throws IOException;
  }

  /** Trains {@code job} whole, and again interrupted after the first snapshot, then resumed. */
  private void assertResumesBitwise(List<String> job, Step beforeResume) throws IOException {
    String name = "r" + Integer.toHexString(job.hashCode());
    INDArray whole = train(name + "-whole", job).training().params();
    Path b = tmp.resolve(name + "-cut");
    new TrainRun(null, job, b, false).execute();
    try (Stream<Path> snaps = Files.list(b.resolve("snapshots"))) {
      Path last = snaps.max(Comparator.naturalOrder()).orElseThrow();
      deleteRecursively(last);
    }
    beforeResume.run();
    INDArray resumed = new TrainRun(null, job, b, true).execute().training().params();
    assertBitwiseEqual(resumed, whole);
  }

  private static void deleteRecursively(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private static double maxAbsDiff(INDArray a, INDArray b) {
    return a.sub(b).amaxNumber().doubleValue();
  }
}
