package ringtrain.driver.cli;

import picocli.CommandLine.Command;

/** The top-level {@code ringtrain} command. */
@Command(
    name = "ringtrain",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Data-parallel training on Spark with a ring all-reduce over Aeron.",
    subcommands = {
      TrainCommand.class,
      EvalCommand.class,
      BenchCommand.class,
      SweepCommand.class,
      DataCommand.class
    })
public final class RingtrainCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(), "missing command: use train, eval, sweep, data or bench");
  }
}
