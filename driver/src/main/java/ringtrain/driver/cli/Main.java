package ringtrain.driver.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import ringtrain.common.error.UserFixable;
import ringtrain.driver.launch.RankFailedException;

/**
 * Entry point of {@code ringtrain} (the launcher and {@code spark-submit}). Exit codes: 0 done, 2
 * user error (one line on stderr), 1 internal failure.
 */
public final class Main {
  public static final int EXIT_OK = 0;
  public static final int EXIT_INTERNAL = 1;
  public static final int EXIT_USER = 2;

  private Main() {}

  public static void main(String[] args) {
    int code = run(args);
    // Spark and ND4J leave non-daemon threads behind; the process must end with the run.
    System.out.flush();
    System.err.flush();
    System.exit(code);
  }

  /** Runs the command line and returns the exit code, without exiting. */
  public static int run(String... args) {
    return commandLine().execute(args);
  }

  /** Runs the command line with its messages sent to {@code err} (for tests and embedding). */
  public static int run(PrintWriter err, String... args) {
    CommandLine cli = commandLine();
    cli.setErr(err);
    int code = cli.execute(args);
    err.flush();
    return code;
  }

  static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new RingtrainCommand());
    // 'ringtrain bench NAME --steps 10': the benchmark parses its own options.
    cli.getSubcommands().get("bench").setUnmatchedOptionsArePositionalParams(true);
    cli.setParameterExceptionHandler(
        (ex, args) -> {
          PrintWriter err = ex.getCommandLine().getErr();
          err.println(
              "ringtrain: "
                  + ex.getMessage()
                  + "; see 'ringtrain "
                  + commandPath(ex.getCommandLine())
                  + "--help'");
          return EXIT_USER;
        });
    cli.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          boolean verbose =
              parseResult.hasMatchedOption("--verbose")
                  || (parseResult.subcommand() != null
                      && parseResult.subcommand().hasMatchedOption("--verbose"));
          PrintWriter err = commandLine.getErr();
          Throwable user = userCause(ex);
          if (user != null) {
            err.println("ringtrain: " + user.getMessage());
            if (verbose) {
              user.printStackTrace(err);
            }
            err.flush();
            return EXIT_USER;
          }
          RankFailedException rank = rankCause(ex);
          if (rank != null && !rank.failure().retryable()) {
            // A rank found the user's mistake: its one line, like any other user error.
            err.println("ringtrain: " + rank.getMessage());
            if (verbose && !rank.failure().trace().isEmpty()) {
              err.print(rank.failure().trace());
            }
            err.flush();
            return EXIT_USER;
          }
          if (rank != null) {
            // A lost or failed rank: its one line, then what it logged last, once.
            err.println("ringtrain: " + rank.getMessage());
            rank.logTailBlock().forEach(err::println);
            if (verbose && !rank.failure().trace().isEmpty()) {
              err.print(rank.failure().trace());
            }
            err.flush();
            return EXIT_INTERNAL;
          }
          err.println(
              "ringtrain: internal error: "
                  + ex
                  + (verbose ? "" : " (run with --verbose for the stack trace)"));
          if (verbose) {
            ex.printStackTrace(err);
          }
          err.flush();
          return EXIT_INTERNAL;
        });
    return cli;
  }

  private static String commandPath(CommandLine cl) {
    StringBuilder path = new StringBuilder();
    for (CommandLine c = cl; c.getParent() != null; c = c.getParent()) {
      path.insert(0, c.getCommandName() + " ");
    }
    return path.toString();
  }

  /** The failed rank behind {@code ex}, if any. */
  static RankFailedException rankCause(Throwable ex) {
    for (Throwable t = ex; t != null && t.getCause() != t; t = t.getCause()) {
      if (t instanceof RankFailedException rank) {
        return rank;
      }
    }
    return null;
  }

  /**
   * The user-fixable failure ({@link UserFixable}) behind {@code ex}, if any, however deep Spark or
   * ND4J wrapped it.
   */
  static Throwable userCause(Throwable ex) {
    for (Throwable t = ex; t != null; t = t.getCause()) {
      if (t instanceof UserFixable) {
        return t;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return null;
  }
}
