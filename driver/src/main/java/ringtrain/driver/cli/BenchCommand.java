package ringtrain.driver.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import ringtrain.common.bench.Benchmark;
import ringtrain.common.error.UserException;

/**
 * {@code ringtrain bench NAME [ARGS...]}: runs one of the benchmark programs of the bench module.
 */
@Command(
    name = "bench",
    description = {
      "Run a benchmark: allreduce, step, scaling.",
      "Everything after NAME goes to the benchmark: 'ringtrain bench NAME --help' lists its options."
    })
public final class BenchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "NAME", description = "Benchmark to run.")
  String name;

  @Parameters(index = "1..*", paramLabel = "ARGS", description = "Arguments of the benchmark.")
  List<String> args = new ArrayList<>();

  @Override
  public Integer call() {
    if (name.equals("--help") || name.equals("-h")) {
      spec.commandLine().usage(spec.commandLine().getOut());
      for (Benchmark benchmark : ServiceLoader.load(Benchmark.class)) {
        spec.commandLine()
            .getOut()
            .printf("  %-10s %s%n", benchmark.name(), benchmark.description());
      }
      return Main.EXIT_OK;
    }
    List<String> known = new ArrayList<>();
    for (Benchmark benchmark : ServiceLoader.load(Benchmark.class)) {
      if (benchmark.name().equals(name)) {
        return benchmark.run(args.toArray(String[]::new));
      }
      known.add(benchmark.name());
    }
    throw new UserException(
        "unknown benchmark '"
            + name
            + "'; available: "
            + (known.isEmpty()
                ? "none (the bench module is not on the classpath; use deploy/bin/ringtrain)"
                : String.join(", ", known)));
  }
}
