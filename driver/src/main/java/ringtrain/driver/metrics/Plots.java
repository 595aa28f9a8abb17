package ringtrain.driver.metrics;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler.LegendPosition;
import org.knowm.xchart.style.markers.SeriesMarkers;
import ringtrain.common.error.UserException;
import ringtrain.common.metrics.EvalMetrics;
import ringtrain.common.metrics.StepMetrics;

/**
 * The run's plots under {@code plots/}: loss.png, lr.png, grad_norm.png, throughput.png,
 * loss_scale.png when fp16 loss scaling ran, timeline.png (compute, all-reduce, overlap per step)
 * when the steps recorded it, gns.png (B_simple beside the global batch) when the run estimated the
 * gradient noise scale, and accuracy.png when the run evaluated. Drawn from the metrics.jsonl
 * records with XChart, headless. Non-finite points (skipped fp16 steps) are left out; a chart with
 * no finite point is not drawn.
 */
public final class Plots {
  static {
    // The driver runs on servers and in CI without a display.
    System.setProperty("java.awt.headless", "true");
  }

  private static final int WIDTH = 900;
  private static final int HEIGHT = 540;

  private Plots() {}

  /** Reads {@code metricsJsonl} and writes the plots into {@code plotsDir}. */
  public static List<Path> write(Path metricsJsonl, Path plotsDir) {
    return write(MetricsJsonl.read(metricsJsonl), plotsDir);
  }

  /**
   * Writes the plots into {@code plotsDir}, creating it.
   *
   * @return the files written
   */
  public static List<Path> write(MetricsLog log, Path plotsDir) {
    List<Path> written = new ArrayList<>();
    List<StepMetrics> steps = log.steps();
    List<EvalMetrics> evals = log.evals();
    draw(
        "Loss",
        "loss",
        plotsDir.resolve("loss.png"),
        written,
        steps("train", steps, StepMetrics::loss),
        evals("test", evals, EvalMetrics::testLoss));
    draw(
        "Learning rate",
        "lr",
        plotsDir.resolve("lr.png"),
        written,
        steps("lr", steps, StepMetrics::lr));
    draw(
        "Gradient norm (before clipping)",
        "global L2 norm",
        plotsDir.resolve("grad_norm.png"),
        written,
        steps("grad_norm", steps, StepMetrics::gradNorm));
    draw(
        "Throughput",
        "examples/s",
        plotsDir.resolve("throughput.png"),
        written,
        steps("examples/s", steps, StepMetrics::examplesPerS));
    if (steps.stream().anyMatch(m -> m.lossScale() != 1.0 || m.skippedSteps() > 0)) {
      draw(
          "Dynamic loss scale (fp16) and skipped steps",
          "log2(scale) / skipped steps",
          plotsDir.resolve("loss_scale.png"),
          written,
          steps("log2(loss scale)", steps, m -> Math.log(m.lossScale()) / Math.log(2)),
          steps("skipped steps", steps, m -> m.skippedSteps()));
    }
    if (steps.stream().anyMatch(m -> m.computeMs() > 0)) {
      draw(
          "Step timeline",
          "ms",
          plotsDir.resolve("timeline.png"),
          written,
          steps("step", steps, StepMetrics::stepMs),
          steps("compute", steps, StepMetrics::computeMs),
          steps("all-reduce", steps, StepMetrics::commMs),
          steps("all-reduce hidden by backward", steps, StepMetrics::overlapMs));
    }
    if (steps.stream().anyMatch(m -> m.gns() != null)) {
      long big = steps.stream().filter(m -> m.gns() != null).findFirst().get().gns().bigBatch();
      draw(
          "Gradient noise scale B_simple (McCandlish et al. 2018) and the global batch",
          "examples",
          plotsDir.resolve("gns.png"),
          written,
          steps("B_simple", steps, m -> m.gns() == null ? Double.NaN : m.gns().bSimple()),
          steps("global batch B = " + big, steps, m -> m.gns() == null ? Double.NaN : big));
    }
    draw(
        "Test accuracy",
        "accuracy",
        plotsDir.resolve("accuracy.png"),
        written,
        evals("test", evals, EvalMetrics::testAccuracy));
    return written;
  }

  /** One line of a chart: finite points only; evaluations are few and worth a marker each. */
  private record Series(String name, List<Double> xs, List<Double> ys, boolean markers) {}

  private static Series steps(
      String name, List<StepMetrics> steps, ToDoubleFunction<StepMetrics> y) {
    List<Double> xs = new ArrayList<>();
    List<Double> ys = new ArrayList<>();
    for (StepMetrics m : steps) {
      double value = y.applyAsDouble(m);
      if (Double.isFinite(value)) {
        xs.add((double) m.step());
        ys.add(value);
      }
    }
    return new Series(name, xs, ys, false);
  }

  private static Series evals(
      String name, List<EvalMetrics> evals, ToDoubleFunction<EvalMetrics> y) {
    List<Double> xs = new ArrayList<>();
    List<Double> ys = new ArrayList<>();
    for (EvalMetrics m : evals) {
      double value = y.applyAsDouble(m);
      if (Double.isFinite(value)) {
        xs.add((double) m.step());
        ys.add(value);
      }
    }
    return new Series(name, xs, ys, true);
  }

  private static void draw(
      String title, String yAxis, Path file, List<Path> written, Series... all) {
    List<Series> series = Arrays.stream(all).filter(s -> !s.xs().isEmpty()).toList();
    if (series.isEmpty()) {
      return;
    }
    // XChart takes values spanning more than 1e-4 but with smaller steps (a learning rate of
    // 1e-3) for a category axis and labels every point; plotting in units of 10^k avoids that.
    double maxAbs =
        series.stream().flatMap(s -> s.ys().stream()).mapToDouble(Math::abs).max().orElse(0);
    int exponent = maxAbs > 0 && maxAbs < 0.1 ? (int) Math.floor(Math.log10(maxAbs)) : 0;
    double scale = Math.pow(10, -exponent);
    XYChart chart =
        new XYChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title(title)
            .xAxisTitle("step")
            .yAxisTitle(exponent == 0 ? yAxis : yAxis + " (\u00d71e" + exponent + ")")
            .build();
    chart.getStyler().setLegendPosition(LegendPosition.InsideNE);
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    for (Series s : series) {
      List<Double> ys = s.ys().stream().map(v -> v * scale).toList();
      XYSeries drawn = chart.addSeries(s.name(), s.xs(), ys);
      drawn.setMarker(s.markers() ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
    }
    spaceXLabels(chart, series.get(0), scale);
    save(chart, file, written);
  }

  /**
   * Steps logged every run.log_every are equally spaced, and for equally spaced x values XChart
   * puts a label on data points, as many as its estimate of the label width allows; that estimate
   * is too small, and four-digit steps run into each other. One invisible point off the grid (no
   * marker, no line, not in the legend, inside the data's range) sends XChart to its ordinary axis,
   * whose labels are round numbers spaced by the tick-spacing hint.
   */
  private static void spaceXLabels(XYChart chart, Series first, double scale) {
    if (first.xs().size() < 3) {
      return;
    }
    double x = (first.xs().get(0) + first.xs().get(1)) / 2;
    XYSeries anchor = chart.addSeries("\u2009", List.of(x), List.of(first.ys().get(0) * scale));
    anchor.setMarker(SeriesMarkers.NONE);
    anchor.setShowInLegend(false);
  }

  private static void save(XYChart chart, Path file, List<Path> written) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.write(tmp, BitmapEncoder.getBitmapBytes(chart, BitmapFormat.PNG));
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      written.add(file);
    } catch (IOException e) {
      throw new UserException(
          "cannot write " + file + " (" + e.getMessage() + "); choose a writable --out directory",
          e);
    }
  }
}
