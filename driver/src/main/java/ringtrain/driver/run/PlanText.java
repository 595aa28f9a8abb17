package ringtrain.driver.run;

import java.util.Locale;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import ringtrain.common.config.JobConfig;
import ringtrain.common.numeric.Dtype;
import ringtrain.worker.loop.TrainingPlan;
import ringtrain.worker.model.TrainableModel;
import ringtrain.worker.optim.ParamLayout;
import ringtrain.worker.optim.ParamRole;

/** The human-readable plan printed before training and saved as plan.txt. */
public final class PlanText {
  private PlanText() {}

  public static String render(TrainingPlan plan, String snapshotLocation, int testSize) {
    return render(plan, snapshotLocation, testSize, null);
  }

  /**
   * The plan, with the network's kind, size and parameter roles when {@code model} is given.
   *
   * @param model the network the run trains, or null
   */
  public static String render(
      TrainingPlan plan, String snapshotLocation, int testSize, TrainableModel model) {
    JobConfig job = plan.job();
    StringBuilder out = new StringBuilder();
    line(out, "run", job.run().name());
    line(
        out,
        "data",
        job.data().format().key()
            + " "
            + dataSource(job)
            + " ("
            + plan.trainSize()
            + " train, "
            + testSize
            + " test)");
    line(out, "model", job.model().type().name().toLowerCase(Locale.ROOT) + " " + modelShape(job));
    if (model != null) {
      ParamLayout layout = model.layout();
      line(
          out,
          "network",
          model.network().getClass().getSimpleName()
              + ", "
              + model.order().size()
              + (model.network() instanceof MultiLayerNetwork ? " layers, " : " layer vertices, ")
              + layout.size()
              + " parameters");
      line(
          out,
          "param roles",
          "weight "
              + layout.count(ParamRole.WEIGHT)
              + " (decayed), no-decay "
              + layout.count(ParamRole.NO_DECAY)
              + ", state "
              + layout.count(ParamRole.STATE)
              + " (running statistics, averaged over ranks)");
    }
    line(out, "world size N", String.valueOf(job.train().worldSize()));
    line(out, "micro-batch b", String.valueOf(job.train().microBatch()));
    line(out, "accumulation k", String.valueOf(job.train().accumulation()));
    line(out, "global batch B", plan.globalBatch() + " = N·b·k");
    line(
        out,
        "steps",
        plan.totalSteps()
            + String.format(
                Locale.ROOT, " (%.2f epochs of %d steps)", plan.epochs(), plan.stepsPerEpoch()));
    line(
        out,
        "optimizer",
        job.optim().name()
            + String.format(
                Locale.ROOT,
                ", clip_norm %s, clip_value %s",
                fmt(job.optim().clipNorm()),
                fmt(job.optim().clipValue())));
    line(
        out,
        "peak LR",
        String.format(
            Locale.ROOT,
            "%s (optim.lr %s × %s scaling from base batch %d)",
            fmt(plan.peakLr()),
            fmt(job.optim().lr()),
            job.optim().scaling(),
            job.optim().baseBatch()));
    line(
        out,
        "schedule",
        job.schedule().name()
            + ", warmup "
            + plan.warmupSteps()
            + (job.schedule().warmupEpochs() > 0
                ? " (" + fmt(job.schedule().warmupEpochs()) + " epochs)"
                : "")
            + " of "
            + plan.totalSteps()
            + " steps, min_lr "
            + fmt(job.schedule().minLr()));
    line(out, "noise scale", noiseScale(plan));
    line(
        out,
        "precision",
        "compute "
            + lower(job.precision().compute())
            + ", comm "
            + lower(job.precision().comm())
            + ", master weights fp32"
            + (job.precision().compute() == Dtype.FP16
                ? ", dynamic loss scale from " + fmt(job.precision().lossScaleInit())
                : "")
            + (job.precision().compute() == Dtype.FP32
                ? ""
                : ", " + lower(job.precision().mode())));
    line(
        out,
        "remat segments",
        job.remat().segments() == 0
            ? "off"
            : job.remat().segments() == -1 ? "√L" : String.valueOf(job.remat().segments()));
    line(
        out,
        "overlap",
        job.comm().overlap()
            ? "bucketed all-reduce during backward, " + job.comm().bucketMb() + " MiB buckets"
            : "off");
    line(
        out,
        "snapshots",
        job.snapshot().every() > 0
            ? "every "
                + job.snapshot().every()
                + " steps, keep "
                + job.snapshot().keep()
                + ", in "
                + snapshotLocation
            : (job.snapshot().atEnd() ? "at the end, in " + snapshotLocation : "off"));
    line(out, "seed", String.valueOf(job.train().seed()));
    line(out, "config hash", job.configHash().substring(0, 16));
    return out.toString();
  }

  private static String dataSource(JobConfig job) {
    return switch (job.data().format()) {
      case IDX -> job.data().dir();
      case CSV -> job.data().train();
      case SYNTHETIC -> "seeded";
      case SPARK -> job.data().spark().format() + " " + job.data().spark().path();
    };
  }

  private static String modelShape(JobConfig job) {
    if (job.model().type() == ringtrain.common.config.ModelConfig.Type.DL4J) {
      return job.model().zoo().isEmpty()
          ? "from " + job.model().file()
          : "zoo " + job.model().zoo();
    }
    return job.model().type() == ringtrain.common.config.ModelConfig.Type.CNN
        ? "conv " + job.model().cnnChannels() + " → dense " + job.model().hidden()
        : job.model().type() == ringtrain.common.config.ModelConfig.Type.DEEP_MLP
            ? "dense "
                + job.model().depth()
                + " × "
                + job.model().width()
                + ", "
                + lower(job.model().activation())
            : "dense " + job.model().hidden() + ", " + lower(job.model().activation());
  }

  private static String lower(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }

  /** How the gradient noise scale will be estimated, or why it will not be. */
  private static String noiseScale(TrainingPlan plan) {
    long b = plan.job().train().microBatch();
    if (plan.globalBatch() <= b) {
      return "not estimated: B = b (set train.accumulation >= 2 or more ranks)";
    }
    return "B_simple every step from micro-batches of b = "
        + b
        + " against B = "
        + plan.globalBatch()
        + ", EMA "
        + fmt(plan.job().gns().ema())
        + " (the recommended batch is printed at the end)";
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.6g", v).replaceAll("\\.?0+(e|$)", "$1");
  }

  private static void line(StringBuilder out, String key, String value) {
    out.append(String.format(Locale.ROOT, "  %-16s %s%n", key, value));
  }
}
