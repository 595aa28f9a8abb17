package ringtrain.driver.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import ringtrain.common.metrics.EvalMetrics;
import ringtrain.driver.run.ModelEvaluation;

/** {@code ringtrain eval}: scores a trained model.zip on the test set of a config. */
@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    description = "Evaluate a trained model.zip on the test set the config names.")
public final class EvalCommand implements Callable<Integer> {

  @Option(
      names = "--model",
      required = true,
      paramLabel = "DIR/model.zip",
      description = "Model written by 'ringtrain train'.")
  Path model;

  @Option(names = "--conf", paramLabel = "FILE", description = "HOCON job file naming the data.")
  Path conf;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description = "Override one config key; repeatable.")
  List<String> overrides = new ArrayList<>();

  @Option(names = "--verbose", description = "Show stack traces.")
  boolean verbose;

  @Override
  public Integer call() {
    Verbosity.apply(verbose);
    EvalMetrics eval = ModelEvaluation.evaluate(model, conf, overrides);
    System.out.printf(
        Locale.ROOT, "test accuracy %.4f, test loss %.4f%n", eval.testAccuracy(), eval.testLoss());
    return Main.EXIT_OK;
  }
}
