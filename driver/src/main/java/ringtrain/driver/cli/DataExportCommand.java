package ringtrain.driver.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import ringtrain.driver.data.DataExport;

/**
 * {@code ringtrain data export}: writes the configured training and test data as Parquet, so a job
 * on IDX or CSV files can move to {@code data.format = spark}.
 */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    description =
        "Write the configured training and test data as Parquet (features array + label) under"
            + " TO/train and TO/test.")
public final class DataExportCommand implements Callable<Integer> {

  @Option(names = "--conf", paramLabel = "FILE", description = "HOCON job file naming the data.")
  Path conf;

  @Option(
      names = "--to",
      required = true,
      paramLabel = "PATH",
      description = "New directory: a local path or a Hadoop URI (hdfs://..., s3a://...).")
  String to;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description = "Override one config key; repeatable.")
  List<String> overrides = new ArrayList<>();

  @Option(names = "--verbose", description = "Show stack traces.")
  boolean verbose;

  @Override
  public Integer call() {
    System.out.print(DataExport.run(conf, overrides, to));
    return Main.EXIT_OK;
  }
}
