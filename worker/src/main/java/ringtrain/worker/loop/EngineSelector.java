package ringtrain.worker.loop;

import java.util.Locale;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.factory.Nd4j;
import ringtrain.common.config.JobConfig;
import ringtrain.common.config.PrecisionConfig;
import ringtrain.common.error.ConfigException;
import ringtrain.common.numeric.Dtype;
import ringtrain.worker.model.Dl4jGradientEngine;
import ringtrain.worker.model.GradientEngine;
import ringtrain.worker.model.TrainableModel;
import ringtrain.worker.precision.LowPrecisionGrid;
import ringtrain.worker.precision.MixedPrecisionEngine;
import ringtrain.worker.remat.GraphLayerEngine;
import ringtrain.worker.remat.LayerwiseEngine;

/**
 * The one place that picks the gradient engine: DL4J's own when nothing needs layer-by-layer
 * control; the layer engine (layer stacks) or the graph engine (ComputationGraphs) for
 * recomputation or overlap; mixed precision (FP32 master weights over a low-precision compute copy
 * run by one of those) when compute is bf16/fp16. {@link #check} refuses, with one line naming the
 * vertex, what no engine supports, so the driver can say so before anything is written.
 */
public final class EngineSelector {
  private EngineSelector() {}

  /** Throws a {@link ConfigException} naming the first setting {@code model} cannot train with. */
  public static void check(JobConfig job, TrainableModel model) {
    PrecisionConfig precision = job.precision();
    if (precision.compute() == Dtype.FP32 && precision.comm() == Dtype.FP16) {
      throw new ConfigException(
          "precision.comm = fp16 with precision.compute = fp32 has no loss scaling, so one"
              + " gradient above 65504 turns every parameter into NaN; use precision.comm = bf16,"
              + " or precision.compute = fp16 (dynamically loss-scaled)");
    }
    if (!(model.network() instanceof ComputationGraph graph)) {
      return;
    }
    Setting setting = layerwiseSetting(job);
    if (setting == null) {
      return;
    }
    GraphLayerEngine.unsupported(graph)
        .ifPresent(
            reason -> {
              throw new ConfigException(
                  setting.key()
                      + " = "
                      + setting.value()
                      + " runs the ComputationGraph vertex by vertex, which it cannot be: "
                      + reason
                      + "; set "
                      + setting.key()
                      + " = "
                      + setting.off());
            });
  }

  /**
   * A setting that needs a layer-by-layer engine: its key, its value, and the value that does not.
   */
  private record Setting(String key, String value, String off) {}

  /** The first setting that needs a layer-by-layer engine, or null when DL4J's own will do. */
  private static Setting layerwiseSetting(JobConfig job) {
    if (job.remat().segments() != 0) {
      return new Setting("remat.segments", String.valueOf(job.remat().segments()), "0");
    }
    if (job.comm().overlap()) {
      return new Setting("comm.overlap", "true", "false");
    }
    Dtype compute = job.precision().compute();
    if (compute != Dtype.FP32) {
      return new Setting("precision.compute", compute.name().toLowerCase(Locale.ROOT), "fp32");
    }
    return null;
  }

  /**
   * The engine for {@code model} under {@code job}.
   *
   * @param overlap whether buckets are all-reduced during backward
   */
  public static GradientEngine select(JobConfig job, TrainableModel model, boolean overlap) {
    check(job, model);
    Dtype compute = job.precision().compute();
    int segments = job.remat().segments();
    if (compute != Dtype.FP32) {
      boolean nativeTypes =
          switch (job.precision().mode()) {
            case NATIVE -> true;
            case EMULATED -> false;
            case AUTO -> gpuBackend();
          };
      return new MixedPrecisionEngine(model, compute, nativeTypes, segments);
    }
    if (segments != 0 || overlap) {
      return LayerwiseEngine.of(model.network(), segments, LowPrecisionGrid.of(Dtype.FP32));
    }
    return new Dl4jGradientEngine(model);
  }

  /** Whether ND4J runs on a GPU backend (nd4j-cuda from the gpu Maven profile). */
  static boolean gpuBackend() {
    return Nd4j.getBackend().getClass().getName().toLowerCase(Locale.ROOT).contains("cuda");
  }
}
