package ringtrain.driver.cli;

import picocli.CommandLine.Command;

/** {@code ringtrain data}: tools for the training data. */
@Command(
    name = "data",
    mixinStandardHelpOptions = true,
    description = "Tools for the training data.",
    subcommands = {DataExportCommand.class})
public final class DataCommand implements Runnable {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(), "missing command: use data export");
  }
}
