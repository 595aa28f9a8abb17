package ringtrain.common.bench;

/**
 * A benchmark program reachable as {@code ringtrain bench NAME [ARGS...]}. Implementations live in
 * the bench module and are found with {@link java.util.ServiceLoader}, so the CLI does not depend
 * on them at compile time.
 */
public interface Benchmark {

  /** The word after {@code ringtrain bench}, e.g. {@code allreduce}. */
  String name();

  /** One line for {@code ringtrain bench --help}. */
  String description();

  /** Runs the benchmark; returns the process exit code (0 ok, 2 bad arguments, 1 failure). */
  int run(String[] args);
}
