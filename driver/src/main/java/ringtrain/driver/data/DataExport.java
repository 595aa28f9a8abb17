package ringtrain.driver.data;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import ringtrain.common.config.ConfigReader;
import ringtrain.common.config.DataConfig;
import ringtrain.common.config.DataConfig.Normalize;
import ringtrain.common.config.JobConfig;
import ringtrain.common.config.key.ConfigKeys;
import ringtrain.common.config.key.DataKeys;
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
    Config config = ConfigLoader.load(jobFile, overrides);
    JobConfig job = JobConfig.from(config);
    DataConfig cfg = job.data();
    // Written as read: whoever reads the export back normalizes it as the job would have.
    DataConfig raw =
        DataConfig.from(
            new ConfigReader(ConfigKeys.with(config, DataKeys.NORMALIZE.is(Normalize.NONE))));
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
