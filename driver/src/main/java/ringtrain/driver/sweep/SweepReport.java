package ringtrain.driver.sweep;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import ringtrain.common.error.UserException;

/** The sweep's tables: sweep.csv, sweep.jsonl and the live table printed as points finish. */
public final class SweepReport {
  private static final ObjectMapper JSON = new ObjectMapper();

  static final List<String> COLUMNS =
      List.of(
          "point",
          "rule",
          "settings",
          "global_batch",
          "world_size",
          "test_accuracy",
          "test_loss",
          "steps",
          "examples",
          "peak_lr",
          "b_simple",
          "steps_to_target",
          "examples_to_target",
          "time_to_target_s",
          "wall_s",
          "run_dir");

  private SweepReport() {}

  /** Writes sweep.csv and sweep.jsonl (through temporary files) for {@code rows}. */
  public static void write(Path dir, List<SweepRow> rows, double target) {
    List<String> csv = new ArrayList<>();
    csv.add(String.join(",", COLUMNS));
    List<String> jsonl = new ArrayList<>();
    for (SweepRow row : rows) {
      List<Object> values = values(row);
      List<String> cells = new ArrayList<>();
      ObjectNode node = JSON.createObjectNode();
      for (int i = 0; i < COLUMNS.size(); i++) {
        Object v = values.get(i);
        cells.add(csvCell(v));
        put(node, COLUMNS.get(i), v);
      }
      node.putPOJO("overrides", row.point().settings());
      put(node, "target_accuracy", target);
      csv.add(String.join(",", cells));
      jsonl.add(node.toString());
    }
    atomicWrite(dir.resolve("sweep.csv"), csv);
    atomicWrite(dir.resolve("sweep.jsonl"), jsonl);
  }

  private static List<Object> values(SweepRow row) {
    var s = row.summary();
    return List.of(
        row.point().name(),
        row.point().rule(),
        row.point().label(),
        s.globalBatch(),
        s.worldSize(),
        s.testAccuracy(),
        s.testLoss(),
        s.steps(),
        s.steps() * s.globalBatch(),
        s.peakLr(),
        s.bSimple(),
        row.stepsToTarget(),
        row.examplesToTarget(),
        row.timeToTargetS(),
        s.wallS(),
        row.runDirectory().toString());
  }

  /** The live table of the finished points. */
  public static String table(List<SweepRow> rows, int total) {
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "sweep: %d of %d points done%n", rows.size(), total));
    out.append(
        String.format(
            Locale.ROOT,
            "  %-40s %7s %8s %8s %12s %14s %10s %9s%n",
            "settings",
            "B",
            "acc",
            "steps",
            "steps>target",
            "time>target s",
            "peak LR",
            "B_simple"));
    for (SweepRow row : rows) {
      var s = row.summary();
      String label = row.point().label();
      out.append(
          String.format(
              Locale.ROOT,
              "  %-40s %7d %8.4f %8d %12s %14s %10.3g %9s%n",
              label.length() > 40 ? label.substring(0, 37) + "..." : label,
              s.globalBatch(),
              s.testAccuracy(),
              s.steps(),
              finite(row.stepsToTarget(), "%.0f"),
              finite(row.timeToTargetS(), "%.1f"),
              s.peakLr(),
              finite(s.bSimple(), "%.0f")));
    }
    return out.toString();
  }

  private static String finite(double v, String format) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, format, v) : "-";
  }

  private static String csvCell(Object v) {
    if (v instanceof Double d) {
      return Double.isFinite(d) ? Double.toString(d) : "";
    }
    String text = String.valueOf(v);
    return text.contains(",") || text.contains("\"") || text.contains(" ")
        ? "\"" + text.replace("\"", "\"\"") + "\""
        : text;
  }

  private static void put(ObjectNode node, String key, Object v) {
    if (v instanceof Double d) {
      if (Double.isFinite(d)) {
        node.put(key, d);
      } else {
        node.putNull(key);
      }
    } else if (v instanceof Long l) {
      node.put(key, l);
    } else if (v instanceof Integer i) {
      node.put(key, i);
    } else {
      node.put(key, String.valueOf(v));
    }
  }

  private static void atomicWrite(Path file, List<String> lines) {
    try {
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.write(tmp, lines, StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UserException(
          "cannot write " + file + " (" + e.getMessage() + "); choose a writable --out directory",
          e);
    }
  }
}
