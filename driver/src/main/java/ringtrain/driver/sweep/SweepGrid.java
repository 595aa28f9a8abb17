package ringtrain.driver.sweep;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import ringtrain.common.error.UserException;

/**
 * The points of a sweep, from {@code --grid key=v1,v2,...} options (the cartesian product, the
 * first option varying slowest) or from a {@code --runs} file (one point per line: {@code --set}
 * style {@code key=value} words separated by spaces; blank lines and {@code #} comments skipped).
 */
public final class SweepGrid {
  private SweepGrid() {}

  /** The cartesian product of the grid options. */
  public static List<SweepPoint> product(List<String> grid) {
    List<List<String>> axes = new ArrayList<>();
    LinkedHashSet<String> keys = new LinkedHashSet<>();
    for (String option : grid) {
      int eq = option.indexOf('=');
      if (eq <= 0 || eq == option.length() - 1) {
        throw new UserException(
            "--grid "
                + option
                + " is not of the form key=v1,v2,...; e.g. --grid optim.lr=0.01,0.1");
      }
      String key = option.substring(0, eq).trim();
      if (!keys.add(key)) {
        throw new UserException(
            "--grid names " + key + " twice; give all of its values in one --grid " + key + "=...");
      }
      List<String> axis = new ArrayList<>();
      for (String value : splitValues(option.substring(eq + 1))) {
        axis.add(key + "=" + value);
      }
      axes.add(axis);
    }
    List<SweepPoint> points = new ArrayList<>();
    product(axes, 0, new ArrayList<>(), points);
    return points;
  }

  private static void product(
      List<List<String>> axes, int axis, List<String> prefix, List<SweepPoint> out) {
    if (axis == axes.size()) {
      out.add(new SweepPoint(prefix));
      return;
    }
    for (String setting : axes.get(axis)) {
      prefix.add(setting);
      product(axes, axis + 1, prefix, out);
      prefix.remove(prefix.size() - 1);
    }
  }

  /** Values split at commas outside brackets and quotes, so {@code [256,128]} stays one value. */
  static List<String> splitValues(String values) {
    List<String> out = new ArrayList<>();
    int depth = 0;
    boolean quoted = false;
    StringBuilder current = new StringBuilder();
    for (char c : values.toCharArray()) {
      if (c == '"') {
        quoted = !quoted;
      } else if (!quoted && (c == '[' || c == '{')) {
        depth++;
      } else if (!quoted && (c == ']' || c == '}')) {
        depth--;
      }
      if (c == ',' && depth == 0 && !quoted) {
        out.add(current.toString().trim());
        current.setLength(0);
      } else {
        current.append(c);
      }
    }
    out.add(current.toString().trim());
    if (out.stream().anyMatch(String::isEmpty)) {
      throw new UserException(
          "--grid values '" + values + "' hold an empty value; separate values by single commas");
    }
    return out;
  }

  /** One point per non-blank, non-comment line of {@code file}. */
  public static List<SweepPoint> fromFile(Path file) {
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UserException(
          "cannot read --runs " + file + " (" + e.getMessage() + "); pass a readable text file");
    }
    List<SweepPoint> points = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      List<String> settings = new ArrayList<>();
      for (String word : line.split("\\s+")) {
        String setting = word.startsWith("--set=") ? word.substring(6) : word;
        if (setting.equals("--set")) {
          continue;
        }
        if (setting.indexOf('=') <= 0) {
          throw new UserException(
              "--runs " + file + " line " + (i + 1) + ": '" + word + "' is not key=value");
        }
        settings.add(setting);
      }
      points.add(new SweepPoint(settings));
    }
    if (points.isEmpty()) {
      throw new UserException(
          "--runs " + file + " holds no point; write one key=value list a line");
    }
    return points;
  }
}
