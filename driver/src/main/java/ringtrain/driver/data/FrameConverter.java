package ringtrain.driver.data;

import java.io.Serializable;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.UserDefinedType;
import ringtrain.common.config.DataConfig;
import ringtrain.common.error.DataException;
import ringtrain.worker.data.Dataset;

/**
 * Turns a DataFrame into the in-memory {@link Dataset} the ranks train on: checks the schema
 * against {@code data.features} and {@code data.label} before reading a row, then every cell as it
 * streams by (nulls, ragged arrays, labels outside {@code [0, data.num_classes)}). Every problem is
 * one line naming the column, and the row where there is one.
 *
 * <p>Serializable: with placement shard the executors convert their rows themselves ({@link
 * #example}), with the same checks and messages.
 */
final class FrameConverter implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final String ML_VECTOR = "org.apache.spark.ml.linalg.Vector";
  private static final String MLLIB_VECTOR = "org.apache.spark.mllib.linalg.Vector";

  private final List<String> features;
  private final String labelColumn;
  private final int numClasses;
  private final List<Integer> shape;
  private final String source;

  /** How {@code data.features} maps onto the columns. */
  enum Layout {
    ARRAY,
    VECTOR,
    COLUMNS
  }

  /**
   * @param source what the frame was read from ({@code data.path = ...}), for messages
   */
  FrameConverter(DataConfig cfg, String source) {
    this.features = List.copyOf(cfg.spark().features());
    this.labelColumn = cfg.spark().label();
    this.numClasses = cfg.numClasses();
    this.shape = List.copyOf(cfg.shape());
    this.source = source;
  }

  /** What the frame was read from, for messages. */
  String source() {
    return source;
  }

  /**
   * Checks {@code schema} against {@code data.features} and {@code data.label}.
   *
   * @return how the feature columns are read
   */
  Layout check(StructType schema) {
    for (String column : features) {
      field(schema, column, "data.features");
    }
    StructField labelField = field(schema, labelColumn, "data.label");
    if (!(labelField.dataType() instanceof NumericType)) {
      throw new DataException(
          source
              + ": data.label column '"
              + labelColumn
              + "' is "
              + labelField.dataType().simpleString()
              + "; the label must be an integer class column");
    }
    return layout(schema, features);
  }

  /** The feature columns, then the label: the columns {@link #example} reads. */
  org.apache.spark.sql.Dataset<Row> project(org.apache.spark.sql.Dataset<Row> df) {
    List<String> selected = new ArrayList<>(features);
    selected.add(labelColumn);
    return df.selectExpr(selected.stream().map(FrameConverter::quote).toArray(String[]::new));
  }

  /**
   * The features of row {@code r} of a {@link #project}ed frame, checked: no null, {@code width}
   * values.
   *
   * @param row the row's number in the frame, for messages
   * @param width features every row must have
   */
  float[] features(Row r, long row, Layout layout, int width) {
    FloatBuffer values = new FloatBuffer(Math.max(1, width));
    switch (layout) {
      case ARRAY -> readArray(r, row, values);
      case VECTOR -> readVector(r, row, values);
      case COLUMNS -> readColumns(r, row, features, values);
    }
    if (values.size() != width) {
      throw ragged(values.size(), row, width);
    }
    return values.toArray();
  }

  /** The class of row {@code r} of a {@link #project}ed frame, checked. */
  int label(Row r, long row) {
    return label(r.get(features.size()), row, labelColumn);
  }

  /** The example shape for {@code width} features: {@code data.shape}, or flat. */
  int[] shape(int width) {
    DataConfig.checkShapeMatches(shape, width, source);
    return shape.isEmpty()
        ? new int[] {width}
        : shape.stream().mapToInt(Integer::intValue).toArray();
  }

  int numClasses() {
    return numClasses;
  }

  private DataException ragged(int n, long row, int width) {
    return new DataException(
        source
            + ": data.features column '"
            + features.get(0)
            + "' holds "
            + n
            + " values in row "
            + row
            + " but "
            + width
            + " in row 0; every example needs the same number of features");
  }

  /** Validates {@code df}'s schema and converts it, row by row. */
  Dataset convert(org.apache.spark.sql.Dataset<Row> df) {
    return convert(df, 0);
  }

  /**
   * Validates {@code df}'s schema and converts its first {@code limit} rows (0 = all) in partition
   * order. Spark's own {@code limit} may take rows of several partitions in any order.
   */
  Dataset convert(org.apache.spark.sql.Dataset<Row> df, int limit) {
    Layout layout = check(df.schema());
    org.apache.spark.sql.Dataset<Row> projected = project(df);
    FloatBuffer values = new FloatBuffer(1 << 16);
    IntBuffer labels = new IntBuffer();
    int width = -1;
    long row = 0;
    for (Iterator<Row> it = projected.toLocalIterator();
        (limit == 0 || row < limit) && it.hasNext();
        row++) {
      Row r = it.next();
      int before = values.size();
      switch (layout) {
        case ARRAY -> readArray(r, row, values);
        case VECTOR -> readVector(r, row, values);
        case COLUMNS -> readColumns(r, row, features, values);
      }
      int n = values.size() - before;
      if (width < 0) {
        width = n;
      } else if (n != width) {
        throw ragged(n, row, width);
      }
      labels.add(label(r.get(features.size()), row, labelColumn));
    }
    if (row == 0) {
      throw new DataException(source + " holds no rows; point it at data with examples");
    }
    if (width == 0) {
      throw new DataException(
          source + ": data.features column '" + features.get(0) + "' is empty in every row");
    }
    return new Dataset(values.toArray(), labels.toArray(), shape(width), numClasses);
  }

  private StructField field(StructType schema, String column, String key) {
    for (StructField f : schema.fields()) {
      if (f.name().equals(column)) {
        return f;
      }
    }
    throw new DataException(
        source
            + ": "
            + key
            + " names column '"
            + column
            + "', which is not there (columns: "
            + String.join(", ", schema.fieldNames())
            + "); set "
            + key
            + " to one of them");
  }

  private Layout layout(StructType schema, List<String> features) {
    if (features.size() == 1) {
      DataType type = schema.apply(features.get(0)).dataType();
      if (type instanceof ArrayType array) {
        if (!(array.elementType() instanceof NumericType)) {
          throw notNumeric(features.get(0), type);
        }
        return Layout.ARRAY;
      }
      if (type instanceof UserDefinedType<?> udt && isVector(udt)) {
        return Layout.VECTOR;
      }
    }
    for (String column : features) {
      DataType type = schema.apply(column).dataType();
      if (!(type instanceof NumericType)) {
        throw features.size() > 1 && (type instanceof ArrayType || type instanceof UserDefinedType)
            ? new DataException(
                source
                    + ": data.features lists "
                    + features.size()
                    + " columns, so each must be numeric, but '"
                    + column
                    + "' is "
                    + type.simpleString()
                    + "; list only numeric columns or name the one array column alone")
            : notNumeric(column, type);
      }
    }
    return Layout.COLUMNS;
  }

  private static boolean isVector(UserDefinedType<?> udt) {
    String name = udt.userClass().getName();
    return name.equals(ML_VECTOR) || name.equals(MLLIB_VECTOR);
  }

  private DataException notNumeric(String column, DataType type) {
    return new DataException(
        source
            + ": data.features column '"
            + column
            + "' is "
            + type.simpleString()
            + ", not numeric; use numeric columns, an array of numbers or an ML vector");
  }

  private void readArray(Row r, long row, FloatBuffer out) {
    String column = features.get(0);
    if (r.isNullAt(0)) {
      throw nullCell(column, row);
    }
    List<Object> cells = r.getList(0);
    for (Object cell : cells) {
      if (cell == null) {
        throw new DataException(
            source
                + ": data.features column '"
                + column
                + "' holds a null in row "
                + row
                + "; fill or drop that row");
      }
      out.add(((Number) cell).floatValue());
    }
  }

  private void readVector(Row r, long row, FloatBuffer out) {
    String column = features.get(0);
    if (r.isNullAt(0)) {
      throw nullCell(column, row);
    }
    Object vector = r.get(0);
    double[] dense;
    try {
      Method toArray = vector.getClass().getMethod("toArray");
      dense = (double[]) toArray.invoke(vector);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("an ML vector without toArray(): " + vector.getClass(), e);
    }
    for (double d : dense) {
      out.add((float) d);
    }
  }

  private void readColumns(Row r, long row, List<String> columns, FloatBuffer out) {
    for (int i = 0; i < features.size(); i++) {
      if (r.isNullAt(i)) {
        throw nullCell(features.get(i), row);
      }
      out.add(((Number) r.get(i)).floatValue());
    }
  }

  private int label(Object cell, long row, String column) {
    if (cell == null) {
      throw new DataException(
          source
              + ": data.label column '"
              + column
              + "' is null in row "
              + row
              + "; fill or drop that row");
    }
    double value = ((Number) cell).doubleValue();
    if (value != Math.rint(value) || Double.isInfinite(value)) {
      throw new DataException(
          source
              + ": data.label column '"
              + column
              + "' holds "
              + cell
              + " in row "
              + row
              + ", not a whole class number");
    }
    if (value < 0 || value >= numClasses) {
      throw new DataException(
          String.format(
              Locale.ROOT,
              "%s: data.label column '%s' holds %s in row %d, outside [0, %d); raise"
                  + " data.num_classes or fix the data",
              source,
              column,
              cell,
              row,
              numClasses));
    }
    return (int) value;
  }

  private DataException nullCell(String column, long row) {
    return new DataException(
        source
            + ": data.features column '"
            + column
            + "' is null in row "
            + row
            + "; fill or drop that row");
  }

  private static String quote(String column) {
    return "`" + column.replace("`", "``") + "`";
  }

  /** A growable float array: the rows arrive one at a time from the executors. */
  private static final class FloatBuffer {
    private float[] data;
    private int size;

    FloatBuffer(int capacity) {
      data = new float[capacity];
    }

    void add(float v) {
      if (size == data.length) {
        data = Arrays.copyOf(data, Math.multiplyExact(data.length, 2));
      }
      data[size++] = v;
    }

    int size() {
      return size;
    }

    float[] toArray() {
      return Arrays.copyOf(data, size);
    }
  }

  private static final class IntBuffer {
    private int[] data = new int[1 << 10];
    private int size;

    void add(int v) {
      if (size == data.length) {
        data = Arrays.copyOf(data, Math.multiplyExact(data.length, 2));
      }
      data[size++] = v;
    }

    int[] toArray() {
      return Arrays.copyOf(data, size);
    }
  }
}
