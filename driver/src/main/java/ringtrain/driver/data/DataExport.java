package ringtrain.driver.data;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import ringtrain.common.config.DataConfig;
import ringtrain.common.config.JobConfig;
import ringtrain.driver.config.ConfigLoader;
import ringtrain.worker.data.DatasetLoader;
import ringtrain.worker.data.TrainTest;

/**
 * {@code ringtrain data export}: loads a job's data as training would (any {@code data.format},
 * {@code data.limit_*} applied) but without normalization, writes it with {@link ParquetExport},
 * and says which {@code data.*} keys read it back to the same examples.
 */
public final class DataExport {
  private DataExport() {}

  /**
   * @return the lines to print: where the data went and the keys that read it back
   */
  public static String run(Path jobFile, List<String> overrides, String to) {
    JobConfig job = JobConfig.from(ConfigLoader.load(jobFile, overrides));
    DataConfig cfg = job.data();
    DataConfig raw =
        new DataConfig(
            cfg.format(),
            cfg.dir(),
            cfg.train(),
            cfg.test(),
            cfg.labelColumn(),
            cfg.numClasses(),
            cfg.shuffle(),
            DataConfig.Normalize.NONE,
            cfg.shape(),
            cfg.limitTrain(),
            cfg.limitTest(),
            cfg.synthetic(),
            cfg.spark());
    return SparkFrames.withSession(
        spark -> {
          TrainTest data =
              raw.format() == DataConfig.Format.SPARK
                  ? SparkFrames.load(spark, raw)
                  : DatasetLoader.load(raw, job.train().seed());
          ParquetExport.write(spark, data, to);
          String base = to.endsWith("/") ? to.substring(0, to.length() - 1) : to;
          String shape =
              Arrays.stream(data.train().shape())
                  .mapToObj(Integer::toString)
                  .collect(Collectors.joining(", ", "[", "]"));
          return String.format(
              Locale.ROOT,
              "wrote %d training and %d test examples to %s/train and %s/test%n"
                  + "read them back with:%n"
                  + "  data.format = spark%n"
                  + "  data.path = \"%s/train\"%n"
                  + "  data.test_path = \"%s/test\"%n"
                  + "  data.features = [features]%n"
                  + "  data.label = label%n"
                  + "  data.shape = %s%n"
                  + "  data.normalize = %s%n",
              data.train().size(),
              data.test().size(),
              base,
              base,
              base,
              base,
              data.train().shape().length == 3 ? shape : "[]",
              cfg.effectiveNormalize().key());
        });
  }
}
