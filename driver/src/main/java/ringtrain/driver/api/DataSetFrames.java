package ringtrain.driver.api;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import ringtrain.common.error.DataException;
import scala.collection.JavaConverters;

/**
 * A {@code JavaRDD<DataSet>} (DL4J Spark's training input: each DataSet any number of examples) as
 * the DataFrame {@code data.format = spark} reads: one row per example, {@code features} the
 * example's values flattened in C order ({@code array<float>}), {@code label} its class ({@code
 * int}: the index of the 1 in a one-hot row, or the value of a one-column label). Rows keep the
 * RDD's order. The conversion runs on the executors as the frame is read.
 */
final class DataSetFrames {
  static final String FEATURES = "features";
  static final String LABEL = "label";

  static final StructType SCHEMA =
      new StructType(
          new StructField[] {
            DataTypes.createStructField(
                FEATURES, DataTypes.createArrayType(DataTypes.FloatType, false), false),
            DataTypes.createStructField(LABEL, DataTypes.IntegerType, false)
          });

  private DataSetFrames() {}

  /**
   * The frame and its column mapping.
   *
   * @param frame one row per example
   * @param columns {@code features}, {@code label}, and the image shape of 4-d features
   * @param numClasses the width of one-hot labels, or 0 for class-index labels
   */
  record Converted(org.apache.spark.sql.Dataset<Row> frame, Columns columns, int numClasses) {
    /** The column settings, and {@code data.num_classes} where the labels say it. */
    List<String> settings() {
      List<String> s = new ArrayList<>(columns.settings());
      if (numClasses > 0) {
        s.add("data.num_classes=" + numClasses);
      }
      return s;
    }
  }

  /**
   * @param what the RDD's role, for messages ("the training JavaRDD<DataSet>")
   */
  static Converted of(JavaRDD<DataSet> rdd, String what) {
    List<String> first = rdd.map(new Describe()).filter(new NonEmpty()).take(1);
    if (first.isEmpty()) {
      throw new DataException(what + " holds no examples; pass an RDD of non-empty DataSets");
    }
    String[] parts = first.get(0).split(";", -1);
    Columns columns = Columns.of(FEATURES, LABEL);
    if (!parts[0].isEmpty()) {
      String[] chw = parts[0].split(",");
      columns =
          columns.withShape(
              Integer.parseInt(chw[0]), Integer.parseInt(chw[1]), Integer.parseInt(chw[2]));
    }
    SparkSession spark = SparkSession.builder().sparkContext(rdd.context()).getOrCreate();
    org.apache.spark.sql.Dataset<Row> frame =
        spark.createDataFrame(rdd.flatMap(new ToRows()), SCHEMA);
    return new Converted(frame, columns, Integer.parseInt(parts[1]));
  }

  /**
   * "c,h,w;classes" of a DataSet ("" for no image shape, 0 classes for index labels), or "" when it
   * holds no examples.
   */
  static final class Describe implements Function<DataSet, String> {
    private static final long serialVersionUID = 1L;

    @Override
    public String call(DataSet ds) {
      INDArray f = ds.getFeatures();
      if (f == null || f.size(0) == 0) {
        return "";
      }
      String shape = f.rank() == 4 ? f.size(1) + "," + f.size(2) + "," + f.size(3) : "";
      INDArray l = ds.getLabels();
      long classes = l != null && l.rank() == 2 && l.size(1) > 1 ? l.size(1) : 0;
      return shape + ";" + classes;
    }
  }

  static final class NonEmpty implements Function<String, Boolean> {
    private static final long serialVersionUID = 1L;

    @Override
    public Boolean call(String description) {
      return !description.isEmpty();
    }
  }

  /** One row per example of each DataSet. */
  static final class ToRows implements FlatMapFunction<DataSet, Row> {
    private static final long serialVersionUID = 1L;

    @Override
    public Iterator<Row> call(DataSet ds) {
      INDArray f = ds.getFeatures();
      INDArray l = ds.getLabels();
      if (f == null || f.size(0) == 0) {
        return List.<Row>of().iterator();
      }
      if (l == null) {
        throw new DataException(
            "a DataSet of the JavaRDD<DataSet> has no labels; give one-hot or class-index labels");
      }
      if (ds.getFeaturesMaskArray() != null || ds.getLabelsMaskArray() != null) {
        throw new DataException(
            "a DataSet of the JavaRDD<DataSet> has mask arrays; ringtrain trains on fixed-size"
                + " examples, give DataSets without masks");
      }
      int n = Math.toIntExact(f.size(0));
      if (l.size(0) != n) {
        throw new DataException(
            "a DataSet of the JavaRDD<DataSet> holds "
                + n
                + " feature rows but "
                + l.size(0)
                + " label rows; each example needs one label row");
      }
      float[] x = flat(f);
      int d = x.length / n;
      float[] y = flat(l);
      int c = y.length / n;
      List<Row> rows = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        List<Float> values = new ArrayList<>(d);
        for (int j = 0; j < d; j++) {
          values.add(x[i * d + j]);
        }
        // An RDD's rows hold arrays as Scala sequences.
        rows.add(RowFactory.create(JavaConverters.asScalaBuffer(values), label(y, i, c)));
      }
      return rows.iterator();
    }

    /** All values in C order, as floats. */
    private static float[] flat(INDArray a) {
      return Nd4j.toFlattened('c', a.castTo(DataType.FLOAT)).toFloatVector();
    }

    /** The class of example {@code i}: its one-hot row's 1, or its one-column label. */
    private static int label(float[] y, int i, int c) {
      if (c == 1) {
        float v = y[i];
        if (v != Math.rint(v) || v < 0) {
          throw new DataException(
              "a DataSet of the JavaRDD<DataSet> holds label "
                  + v
                  + " in row "
                  + i
                  + ", not a class number; give one-hot labels or class indices 0, 1, ...");
        }
        return (int) v;
      }
      int hot = -1;
      for (int k = 0; k < c; k++) {
        float v = y[i * c + k];
        if (v == 1f && hot < 0) {
          hot = k;
        } else if (v != 0f) {
          hot = -2;
          break;
        }
      }
      if (hot < 0) {
        throw new DataException(
            "a DataSet of the JavaRDD<DataSet> holds a label row that is not one-hot in row "
                + i
                + "; give one-hot labels (one 1, the rest 0) or class indices");
      }
      return hot;
    }
  }
}
