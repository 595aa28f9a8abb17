package ringtrain.driver.sweep;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.BitmapEncoder.BitmapFormat;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler.LegendPosition;
import org.knowm.xchart.style.markers.SeriesMarkers;
import ringtrain.common.error.UserException;

/**
 * The sweep's plots under {@code plots/}, one line per rule (the settings other than the batch):
 * final test accuracy against the global batch; steps and examples to the target against the global
 * batch on log-log axes (Shallue et al. 2018, Fig. 1: steps fall linearly with B, then flatten);
 * training time to the target. A plot without a finite point is not drawn.
 */
public final class SweepPlots {
  static {
    System.setProperty("java.awt.headless", "true");
  }

  private static final int WIDTH = 900;
  private static final int HEIGHT = 540;

  private SweepPlots() {}

  /** Writes the plots into {@code dir} and returns the files written. */
  public static List<Path> write(List<SweepRow> rows, Path dir, double target) {
    List<Path> written = new ArrayList<>();
    String goal = Double.isFinite(target) ? " (test accuracy " + target + ")" : "";
    draw(
        "Final test accuracy vs global batch",
        "test accuracy",
        false,
        rows,
        r -> r.summary().testAccuracy(),
        dir.resolve("accuracy_vs_batch.png"),
        written);
    draw(
        "Steps to target" + goal,
        "optimizer steps",
        true,
        rows,
        SweepRow::stepsToTarget,
        dir.resolve("steps_to_target.png"),
        written);
    draw(
        "Examples to target" + goal,
        "training examples",
        true,
        rows,
        SweepRow::examplesToTarget,
        dir.resolve("examples_to_target.png"),
        written);
    draw(
        "Training time to target" + goal,
        "seconds",
        true,
        rows,
        SweepRow::timeToTargetS,
        dir.resolve("time_to_target.png"),
        written);
    return written;
  }

  private static void draw(
      String title,
      String yAxis,
      boolean logY,
      List<SweepRow> rows,
      ToDoubleFunction<SweepRow> y,
      Path file,
      List<Path> written) {
    Map<String, List<double[]>> byRule = new LinkedHashMap<>();
    for (SweepRow row : rows) {
      double value = y.applyAsDouble(row);
      if (Double.isFinite(value) && (!logY || value > 0)) {
        byRule
            .computeIfAbsent(row.point().rule(), k -> new ArrayList<>())
            .add(new double[] {row.summary().globalBatch(), value});
      }
    }
    if (byRule.isEmpty()) {
      return;
    }
    XYChart chart =
        new XYChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title(title)
            .xAxisTitle("global batch B (log scale)")
            .yAxisTitle(logY ? yAxis + " (log scale)" : yAxis)
            .build();
    chart.getStyler().setLegendPosition(LegendPosition.OutsideS);
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setXAxisLogarithmic(true);
    chart.getStyler().setYAxisLogarithmic(logY);
    for (Map.Entry<String, List<double[]>> e : byRule.entrySet()) {
      List<double[]> points = new ArrayList<>(e.getValue());
      points.sort(Comparator.comparingDouble(p -> p[0]));
      List<Double> xs = points.stream().map(p -> p[0]).toList();
      List<Double> ys = points.stream().map(p -> p[1]).toList();
      chart.addSeries(e.getKey(), xs, ys).setMarker(SeriesMarkers.CIRCLE);
    }
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
