package ringtrain.bench.netlab;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import ringtrain.common.error.UserException;

/**
 * A network lab of {@code deploy/bin/netlab} owned by this JVM: N hosts (network namespaces) on a
 * bridge, every link shaped to a rate, optional random UDP loss. Each owner uses its own name
 * prefix and subnet, so a benchmark or a test never touches a lab someone else brought up; {@link
 * #close()} (and a shutdown hook, for an interrupted run) removes everything it made.
 */
public final class NetLab implements AutoCloseable {
  /** How long one netlab command may take; bringing up a few hosts takes about a second. */
  private static final long COMMAND_SECONDS = 120;

  private final Path script;
  private final String prefix;
  private final int subnet;
  private final Spec spec;
  private final List<String> addresses;
  private final Thread hook;
  private final FileChannel lockChannel;
  private boolean closed;

  /**
   * What to bring up: {@code hosts} hosts, {@code rate} per direction, {@code lossPct} UDP loss.
   */
  public record Spec(int hosts, String rate, double lossPct) {
    /** Parses {@code N,RATE[,LOSS]} (e.g. {@code 2,1gbit} or {@code 3,1gbit,1}). */
    public static Spec parse(String text) {
      String[] p = text.split(",");
      try {
        if (p.length < 2 || p.length > 3) {
          throw new IllegalArgumentException();
        }
        Spec s =
            new Spec(
                Integer.parseInt(p[0].trim()), p[1].trim(), p.length == 3 ? parseLoss(p[2]) : 0);
        bytesPerSecond(s.rate);
        if (s.hosts < 1 || s.hosts > 64 || s.lossPct < 0 || s.lossPct > 100) {
          throw new IllegalArgumentException();
        }
        return s;
      } catch (IllegalArgumentException e) {
        throw new UserException(
            "--netlab "
                + text
                + " is not HOSTS,RATE[,LOSS%]; use e.g. 2,1gbit or 3,1gbit,1 (1-64 hosts, a tc"
                + " rate, loss 0-100)");
      }
    }

    private static double parseLoss(String s) {
      return Double.parseDouble(s.trim().replace("%", ""));
    }

    /** The rate in bytes per second. */
    public long rateBytesPerSecond() {
      return bytesPerSecond(rate);
    }
  }

  private NetLab(
      Path script,
      String prefix,
      int subnet,
      Spec spec,
      List<String> addresses,
      FileChannel lockChannel) {
    this.lockChannel = lockChannel;
    this.script = script;
    this.prefix = prefix;
    this.subnet = subnet;
    this.spec = spec;
    this.addresses = addresses;
    this.hook = new Thread(this::closeQuietly, "netlab-down-" + prefix);
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /**
   * Why no lab can be brought up here (not root, ip/tc/nft missing, no netlab script), as netlab's
   * one line; empty when it can.
   */
  public static Optional<String> unavailable() {
    Optional<Path> script = findScript();
    if (script.isEmpty()) {
      return Optional.of("deploy/bin/netlab not found (run from the ringtrain checkout)");
    }
    Result r = run(script.get(), "rt", 0, List.of("hosts"));
    return r.code == 0 ? Optional.empty() : Optional.of(r.output.strip());
  }

  /**
   * Brings up a lab named {@code prefix} on 198.18.{@code subnet}.0/24 (replacing one of the same
   * name left by a crash).
   *
   * @throws UserException when netlab refuses (not root, tools missing)
   */
  public static NetLab up(String prefix, int subnet, Spec spec) {
    Path script =
        findScript()
            .orElseThrow(
                () ->
                    new UserException(
                        "deploy/bin/netlab not found; run from the ringtrain checkout"));
    FileChannel lock = lock(prefix);
    try {
      return bringUp(script, prefix, subnet, spec, lock);
    } catch (RuntimeException e) {
      closeLock(lock);
      throw e;
    }
  }

  private static NetLab bringUp(
      Path script, String prefix, int subnet, Spec spec, FileChannel lock) {
    Result down = run(script, prefix, subnet, List.of("down"));
    if (down.code == 2) {
      throw new UserException(down.output.strip());
    }
    List<String> args = new ArrayList<>(List.of("up", "--hosts", String.valueOf(spec.hosts)));
    args.addAll(List.of("--rate", spec.rate, "--loss", formatLoss(spec.lossPct)));
    Result up = run(script, prefix, subnet, args);
    if (up.code != 0) {
      run(script, prefix, subnet, List.of("down"));
      if (up.code == 2) {
        throw new UserException(up.output.strip());
      }
      throw new IllegalStateException("netlab up failed: " + up.output.strip());
    }
    List<String> addresses = new ArrayList<>();
    for (int i = 0; i < spec.hosts; i++) {
      addresses.add("198.18." + subnet + "." + (10 + i));
    }
    return new NetLab(script, prefix, subnet, spec, List.copyOf(addresses), lock);
  }

  /**
   * One owner per lab name on this machine: a second benchmark with the same prefix would tear down
   * the first one's hosts. The lock goes with the process, also when it crashes.
   */
  private static FileChannel lock(String prefix) {
    Path file =
        Path.of(System.getProperty("java.io.tmpdir"), "ringtrain-netlab-" + prefix + ".lock");
    try {
      FileChannel channel =
          FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock = channel.tryLock();
      if (lock == null) {
        channel.close();
        throw new UserException(
            "another process on this machine uses the network lab "
                + prefix
                + " ("
                + file
                + " is locked); wait until it ends");
      }
      return channel;
    } catch (IOException e) {
      throw new UserException("cannot lock " + file + " for the network lab: " + e.getMessage());
    }
  }

  private static void closeLock(FileChannel lock) {
    try {
      lock.close();
    } catch (IOException e) {
      // releasing: nothing left to do
    }
  }

  /** The hosts' addresses, host 0 first. */
  public List<String> addresses() {
    return addresses;
  }

  /** The address of the root namespace on the lab's bridge (a driver or Spark master there). */
  public String rootAddress() {
    return "198.18." + subnet + ".1";
  }

  public Spec spec() {
    return spec;
  }

  /**
   * A launcher for {@code RemoteLaunch}: {@code {host}} is a host's address and the rank's shell
   * command follows as one argument.
   */
  public String launcher() {
    return String.join(" ", envWords()) + " " + script + " exec {host} sh -c";
  }

  /** The command line that runs {@code command} inside host {@code host} (an index). */
  public List<String> exec(int host, List<String> command) {
    List<String> cmd = new ArrayList<>(envWords());
    cmd.addAll(List.of(script.toString(), "exec", "h" + host));
    cmd.addAll(command);
    return cmd;
  }

  /** Sets the random UDP loss of every host. */
  public void loss(double pct) {
    check(run(script, prefix, subnet, List.of("loss", "all", formatLoss(pct))), "loss");
  }

  /** Sets host {@code host}'s link up or down (a cable pulled). */
  public void link(int host, boolean up) {
    check(run(script, prefix, subnet, List.of("link", "h" + host, up ? "up" : "down")), "link");
  }

  /** {@code netlab status}: per host its shaping, loss and the datagrams dropped so far. */
  public String status() {
    Result r = run(script, prefix, subnet, List.of("status"));
    check(r, "status");
    return r.output;
  }

  /** UDP datagrams dropped by the loss rules of all hosts so far. */
  public long dropped() {
    long total = 0;
    for (String line : status().lines().toList()) {
      int at = line.indexOf(" dropped ");
      if (at >= 0) {
        total += Long.parseLong(line.substring(at + 9).split(" ")[0]);
      }
    }
    return total;
  }

  /** Removes the lab: its namespaces (ending what still runs there), links and rules. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // already shutting down: the hook is this call
    }
    try {
      check(run(script, prefix, subnet, List.of("down")), "down");
    } finally {
      closeLock(lockChannel);
    }
  }

  private void closeQuietly() {
    try {
      close();
    } catch (RuntimeException e) {
      System.err.println("netlab: could not remove lab " + prefix + ": " + e.getMessage());
    }
  }

  private List<String> envWords() {
    return List.of("env", "NETLAB_PREFIX=" + prefix, "NETLAB_SUBNET=" + subnet);
  }

  private static void check(Result r, String what) {
    if (r.code != 0) {
      throw new IllegalStateException("netlab " + what + " failed: " + r.output.strip());
    }
  }

  static String formatLoss(double pct) {
    return String.format(Locale.ROOT, "%.2f", pct);
  }

  /** A tc rate (1gbit, 500mbit, 100mbps) in bytes per second. */
  static long bytesPerSecond(String rate) {
    String r = rate.toLowerCase(Locale.ROOT);
    boolean bits = r.endsWith("bit");
    if (!bits && !r.endsWith("bps")) {
      throw new IllegalArgumentException(rate);
    }
    String number = r.substring(0, r.length() - 3);
    double scale = 1;
    if (!number.isEmpty() && "kmgt".indexOf(number.charAt(number.length() - 1)) >= 0) {
      scale = Math.pow(1000, "kmgt".indexOf(number.charAt(number.length() - 1)) + 1);
      number = number.substring(0, number.length() - 1);
    }
    double value = Double.parseDouble(number) * scale;
    if (value <= 0) {
      throw new IllegalArgumentException(rate);
    }
    return (long) (bits ? value / 8 : value);
  }

  /**
   * deploy/bin/netlab of this checkout: {@code RINGTRAIN_NETLAB}, else searched upwards from the
   * working directory and from where this class was loaded (deploy/target/lib, bench/target).
   */
  static Optional<Path> findScript() {
    String env = System.getenv("RINGTRAIN_NETLAB");
    if (env != null && !env.isBlank()) {
      return Optional.of(Path.of(env).toAbsolutePath());
    }
    List<Path> starts = new ArrayList<>(List.of(Path.of("").toAbsolutePath()));
    try {
      starts.add(
          Path.of(NetLab.class.getProtectionDomain().getCodeSource().getLocation().toURI())
              .toAbsolutePath());
    } catch (Exception e) {
      // no code source (unusual class loader): the working directory alone
    }
    for (Path start : starts) {
      for (Path dir = start; dir != null; dir = dir.getParent()) {
        Path candidate = dir.resolve("deploy/bin/netlab");
        if (Files.isExecutable(candidate)) {
          return Optional.of(candidate);
        }
      }
    }
    return Optional.empty();
  }

  private record Result(int code, String output) {}

  private static Result run(Path script, String prefix, int subnet, List<String> args) {
    List<String> cmd = new ArrayList<>(List.of(script.toString()));
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment()
        .putAll(Map.of("NETLAB_PREFIX", prefix, "NETLAB_SUBNET", String.valueOf(subnet)));
    try {
      Process p = pb.start();
      p.getOutputStream().close();
      if (!p.waitFor(COMMAND_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return new Result(
            1, "netlab " + args.get(0) + " did not finish in " + COMMAND_SECONDS + " s");
      }
      return new Result(
          p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      return new Result(2, "netlab: cannot run " + script + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(1, "netlab: interrupted");
    }
  }
}
