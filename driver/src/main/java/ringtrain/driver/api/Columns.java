package ringtrain.driver.api;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Which columns of a {@code Dataset<Row>} hold an example: the same mapping as the job-file keys
 * {@code data.features}, {@code data.label} and {@code data.shape} of {@code data.format = spark},
 * and checked the same way (a missing or non-numeric column, a null cell, a label outside {@code
 * [0, data.num_classes)} is one line naming the column).
 *
 * <pre>{@code
 * Columns.of("features", "label").withShape(1, 28, 28)   // one array or ML vector column
 * Columns.of(List.of("x1", "x2", "x3"), "y")             // numeric columns
 * }</pre>
 *
 * @param features {@code data.features}: one array or ML vector column, or numeric columns
 * @param label {@code data.label}: the integer class column
 * @param shape {@code data.shape}: {@code [channels, height, width]} of images, or empty for flat
 *     vectors
 */
public record Columns(List<String> features, String label, List<Integer> shape) {
  public Columns {
    features = List.copyOf(Objects.requireNonNull(features, "features"));
    Objects.requireNonNull(label, "label");
    shape = List.copyOf(Objects.requireNonNull(shape, "shape"));
  }

  /** One array or ML vector column of features, and the label column. */
  public static Columns of(String features, String label) {
    return new Columns(List.of(features), label, List.of());
  }

  /** Numeric feature columns (or one array/vector column), and the label column. */
  public static Columns of(List<String> features, String label) {
    return new Columns(features, label, List.of());
  }

  /** The same columns, read as images of {@code [channels, height, width]}. */
  public Columns withShape(int... chw) {
    return new Columns(features, label, Arrays.stream(chw).boxed().toList());
  }

  /** The {@code key=value} settings this mapping stands for. */
  List<String> settings() {
    List<String> s = new ArrayList<>();
    s.add("data.format=spark");
    s.add(
        "data.features="
            + features.stream().map(Columns::quote).collect(Collectors.joining(", ", "[", "]")));
    s.add("data.label=" + quote(label));
    if (!shape.isEmpty()) {
      s.add("data.shape=" + shape);
    }
    return s;
  }

  /** A HOCON string literal. */
  static String quote(String value) {
    return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
