package ringtrain.driver.data;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import ringtrain.common.error.UserException;
import ringtrain.worker.data.Dataset;
import ringtrain.worker.data.TrainTest;

/**
 * Writes a training and a test set as Parquet, {@code TO/train} and {@code TO/test}, with a {@code
 * features} column (array of float, row-major {@code [c, h, w]} for images) and an integer {@code
 * label} column: what {@code data.format = spark} reads back.
 */
public final class ParquetExport {
  /** Parquet row-group size of exported files: 16 MiB, a few thousand Fashion-MNIST rows. */
  static final long ROW_GROUP_BYTES = 16L << 20;

  private static final StructType SCHEMA =
      new StructType(
          new StructField[] {
            DataTypes.createStructField(
                "features", DataTypes.createArrayType(DataTypes.FloatType, false), false),
            DataTypes.createStructField("label", DataTypes.IntegerType, false)
          });

  private ParquetExport() {}

  /**
   * @param to a new directory: a local path or a Hadoop URI
   * @throws UserException when {@code to} already exists (nothing is written then)
   */
  public static void write(SparkSession spark, TrainTest data, String to) {
    Path root = new Path(to);
    try {
      FileSystem fs = root.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (fs.exists(root)) {
        throw new UserException(
            "--to " + to + " already exists; choose a new directory for the export");
      }
    } catch (IOException e) {
      throw new UserException("cannot reach --to " + to + ": " + SparkFrames.firstLine(e));
    }
    write(spark, data.train(), new Path(root, "train").toString());
    write(spark, data.test(), new Path(root, "test").toString());
  }

  private static void write(SparkSession spark, Dataset ds, String dir) {
    int d = ds.featureCount();
    float[] all = ds.features();
    List<Row> rows = new ArrayList<>(ds.size());
    for (int i = 0; i < ds.size(); i++) {
      List<Float> features = new ArrayList<>(d);
      for (int j = 0; j < d; j++) {
        features.add(all[i * d + j]);
      }
      rows.add(RowFactory.create(features, ds.labels()[i]));
    }
    // One file keeps the example order, which data.shuffle = false and the equivalence rely on.
    // Row groups of ROW_GROUP_BYTES: a reader holds a whole row group's column chunk at once, and
    // Parquet's 128 MiB default would make that a spike of a few hundred MiB in one executor.
    spark
        .createDataFrame(rows, SCHEMA)
        .coalesce(1)
        .write()
        .option("parquet.block.size", ROW_GROUP_BYTES)
        .parquet(dir);
  }
}
