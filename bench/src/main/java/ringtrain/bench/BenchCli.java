package ringtrain.bench;

import java.io.PrintWriter;
import picocli.CommandLine;
import ringtrain.common.error.UserException;

/**
 * Runs a benchmark's picocli command with the error policy of the {@code ringtrain} command line: a
 * bad option or value, or a {@link UserException}, is one line on stderr and exit code 2; any other
 * failure keeps picocli's stack trace and exit code 1.
 */
public final class BenchCli {
  private BenchCli() {}

  /** Parses {@code args} into {@code command} and runs it; returns the exit code. */
  public static int execute(Object command, String[] args) {
    CommandLine cli = new CommandLine(command);
    String name = "ringtrain bench " + cli.getCommandName();
    cli.setParameterExceptionHandler(
        (ex, a) -> {
          PrintWriter err = ex.getCommandLine().getErr();
          err.println(name + ": " + ex.getMessage() + "; see '" + name + " --help'");
          err.flush();
          return 2;
        });
    cli.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          if (ex instanceof UserException) {
            PrintWriter err = commandLine.getErr();
            err.println(name + ": " + ex.getMessage());
            err.flush();
            return 2;
          }
          throw ex;
        });
    return cli.execute(args);
  }
}
