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
 * The run's plots under {@code plots/}: loss.png, lr.png, grad_norm.png, throughput.png, and
 * accuracy.png when the run evaluated. Drawn from the metrics.jsonl records with XChart, headless.
 * Non-finite points (skipped fp16 steps) are left out; a chart with no finite point is not drawn.
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
    save(chart, file, written);
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
