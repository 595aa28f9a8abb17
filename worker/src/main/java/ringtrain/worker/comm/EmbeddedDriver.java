package ringtrain.worker.comm;

import io.aeron.Aeron;
import io.aeron.CommonContext;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.agrona.IoUtil;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingIdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ringtrain.common.config.CommConfig;

/**
 * One embedded Aeron media driver and its client, in a directory unique to this application,
 * executor and process ({@code <dir>/ringtrain-aeron/<app>-<executor>-<pid>}); or, for the ipc
 * transport, a client of the driver all ranks of one application share on a host ({@code
 * <app>-ipc-<pid>} of the JVM that started it). The directory is removed on close; directories left
 * by processes that no longer exist are removed on start.
 */
public final class EmbeddedDriver implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedDriver.class);
  private static final Pattern PID_SUFFIX = Pattern.compile(".*-(\\d+)$");
  private static final int COUNTER_VALUES_BYTES = 1 << 20;

  private final MediaDriver driver;
  private final Aeron aeron;
  private final File directory;

  /** The driver's agent threads when this JVM runs it; empty for a client of a shared driver. */
  private final List<Thread> agentThreads;

  private Path lockFile;
  private boolean closed;

  private EmbeddedDriver(
      MediaDriver driver, Aeron aeron, File directory, Path lockFile, List<Thread> agentThreads) {
    this.driver = driver;
    this.aeron = aeron;
    this.directory = directory;
    this.lockFile = lockFile;
    this.agentThreads = agentThreads;
  }

  /** Starts a driver for {@code appId}/{@code executorId} with the settings of {@code config}. */
  public static EmbeddedDriver start(CommConfig config, String appId, String executorId) {
    Path root = root(config);
    removeStaleDirectories(root);
    long pid = ProcessHandle.current().pid();
    File dir = root.resolve(sanitize(appId) + "-" + sanitize(executorId) + "-" + pid).toFile();
    return launch(config, dir);
  }

  /**
   * The media driver every rank of {@code appId} on this host shares (comm.aeron.transport = ipc):
   * started by the first rank to get here, under a host-wide file lock, and joined as a client by
   * the others. Only the starting JVM's {@link #close()} stops it.
   */
  public static EmbeddedDriver startShared(CommConfig config, String appId) {
    Path root = root(config);
    removeStaleDirectories(root);
    String prefix = sanitize(appId) + "-ipc-";
    Path lockFile = root.resolve(sanitize(appId) + "-ipc.lock");
    long timeoutMs = driverTimeoutMs(config);
    synchronized (EmbeddedDriver.class) { // a file lock is per JVM; ranks may be threads of one
      try (FileChannel channel =
              FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
          FileLock ignored = channel.lock();
          Stream<Path> children = Files.list(root)) {
        Optional<File> running =
            children
                .filter(child -> child.getFileName().toString().startsWith(prefix))
                .map(Path::toFile)
                .filter(dir -> CommonContext.isDriverActive(dir, timeoutMs, message -> {}))
                .findFirst();
        if (running.isPresent()) {
          return new EmbeddedDriver(
              null,
              client(running.get().getAbsolutePath(), config),
              running.get(),
              null,
              List.of());
        }
        File dir = root.resolve(prefix + ProcessHandle.current().pid()).toFile();
        EmbeddedDriver started = launch(config, dir);
        started.lockFile = lockFile;
        return started;
      } catch (IOException e) {
        throw new CommSettingException(
            "cannot lock "
                + lockFile
                + " to share the media driver ("
                + why(e)
                + "); set comm.aeron.dir to a writable directory of this host",
            e);
      }
    }
  }

  private static EmbeddedDriver launch(CommConfig config, File dir) {
    List<Thread> agents = new CopyOnWriteArrayList<>();
    ThreadFactory recording =
        runnable -> {
          Thread t = new Thread(runnable);
          agents.add(t);
          return t;
        };
    MediaDriver.Context driverContext =
        new MediaDriver.Context()
            .aeronDirectoryName(dir.getAbsolutePath())
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .threadingMode(ThreadingMode.valueOf(config.threading().toUpperCase(Locale.ROOT)))
            .mtuLength(config.mtu())
            .ipcMtuLength(config.mtu())
            .socketSndbufLength(config.socketBufferBytes())
            .socketRcvbufLength(config.socketBufferBytes())
            // comm.aeron.window_kb; auto = half the socket buffer: the kernel charges about twice
            // the payload per datagram against SO_RCVBUF, so a window as large as the buffer
            // overflows it, and every drop costs a NAK round trip.
            .initialWindowLength(config.effectiveWindowBytes())
            .retransmitUnicastLingerNs(config.retransmitLingerNs())
            .publicationTermBufferLength(config.termLength())
            .ipcTermBufferLength(config.termLength())
            .termBufferSparseFile(true)
            // A ring holds a handful of streams, each with a few counters: 1 MiB of counter values
            // (8,192 counters) is plenty. Aeron's default of 8 MiB, with its metadata, maps ~90 MiB
            // of shared memory in every executor's command-and-control file, half of it resident.
            .counterValuesBufferLength(COUNTER_VALUES_BYTES)
            // Streams end on the conductor's timer (end of stream, linger, release; RingDrain):
            // Aeron's 1 s default would make every ring close take seconds.
            .timerIntervalNs(TimeUnit.MILLISECONDS.toNanos(10))
            .conductorIdleStrategy(new SleepingIdleStrategy(TimeUnit.MILLISECONDS.toNanos(1)))
            .senderIdleStrategy(idleStrategy(config.idle()))
            .receiverIdleStrategy(idleStrategy(config.idle()))
            .sharedNetworkIdleStrategy(idleStrategy(config.idle()))
            .sharedIdleStrategy(idleStrategy(config.idle()))
            .conductorThreadFactory(recording)
            .senderThreadFactory(recording)
            .receiverThreadFactory(recording)
            .sharedThreadFactory(recording)
            .sharedNetworkThreadFactory(recording)
            .warnIfDirectoryExists(false);
    MediaDriver driver = MediaDriver.launchEmbedded(driverContext);
    try {
      return new EmbeddedDriver(
          driver, client(driver.aeronDirectoryName(), config), dir, null, List.copyOf(agents));
    } catch (RuntimeException e) {
      driver.close();
      throw e;
    }
  }

  /**
   * An Aeron client of the driver in {@code directory}. Its errors are logged, never fatal: Aeron's
   * default handler ends the whole JVM (an executor, with its log) when a shared driver stops
   * answering, where the ring's own deadline already fails the collective with a {@link
   * CommException} naming the silent rank.
   */
  private static Aeron client(String directory, CommConfig config) {
    return Aeron.connect(
        new Aeron.Context()
            .aeronDirectoryName(directory)
            .driverTimeoutMs(driverTimeoutMs(config))
            .errorHandler(
                error ->
                    LOG.warn("the Aeron client of {} reported: {}", directory, error.toString())));
  }

  /** How long a silent driver counts as alive: comm.timeout, but never under 10 s. */
  private static long driverTimeoutMs(CommConfig config) {
    return Math.max(10_000, config.timeout().toMillis());
  }

  /**
   * Wakes this JVM's driver threads from their idle park, so a collective that starts after a long
   * compute phase does not wait for the driver's next duty cycle ({@code comm.aeron.idle =
   * adaptive} parks it for up to 1 ms). Does nothing for a client of a shared driver.
   */
  public void wake() {
    for (Thread t : agentThreads) {
      LockSupport.unpark(t);
    }
  }

  /**
   * The idle strategy of the ring thread for {@code comm.aeron.idle}: the driver's own, except that
   * adaptive keeps 50 µs parks (the ring thread waits only inside a collective, where a late
   * wake-up stalls the pipeline).
   */
  public static IdleStrategy ringIdleStrategy(String name) {
    return idleStrategy(name.equals("adaptive") ? "sleep" : name);
  }

  /** The idle strategy of the driver's threads named by {@code comm.aeron.idle}. */
  public static IdleStrategy idleStrategy(String name) {
    return switch (name) {
      case "busy_spin" -> new BusySpinIdleStrategy();
      case "yield" -> new YieldingIdleStrategy();
      case "sleep" -> new SleepingIdleStrategy(TimeUnit.MICROSECONDS.toNanos(50));
      case "adaptive" ->
          new BackoffIdleStrategy(
              0, 0, TimeUnit.MICROSECONDS.toNanos(50), TimeUnit.MILLISECONDS.toNanos(1));
      default ->
          new BackoffIdleStrategy(
              64, 64, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MICROSECONDS.toNanos(100));
    };
  }

  public Aeron aeron() {
    return aeron;
  }

  public File directory() {
    return directory;
  }

  /**
   * Closes the client and, where this JVM started it, the driver, removing its directory.
   * Idempotent.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      aeron.close();
    } finally {
      if (driver != null) {
        driver.close();
        IoUtil.delete(directory, true);
        if (lockFile != null) {
          IoUtil.delete(lockFile.toFile(), true);
        }
      }
    }
  }

  static Path root(CommConfig config) {
    String base = config.dir().isBlank() ? defaultBase(config) : config.dir();
    return Path.of(base, "ringtrain-aeron");
  }

  /**
   * {@code /dev/shm} where it is a writable tmpfs with room for a few rings' term buffers (Aeron's
   * own default on Linux: term buffers in memory, never written back to a disk), else
   * java.io.tmpdir. Containers often mount a /dev/shm of only 64 MiB, too small for the buffers.
   */
  static String defaultBase(CommConfig config) {
    File shm = new File("/dev/shm");
    long needed = 8L * 3 * config.termLength() + (64L << 20);
    if (shm.isDirectory() && shm.canWrite() && shm.getUsableSpace() >= needed) {
      return shm.getPath();
    }
    return System.getProperty("java.io.tmpdir");
  }

  /**
   * Creates {@code root} if needed, refusing one this process cannot write (the user's to fix:
   * comm.aeron.dir), and removes driver directories whose owning process is gone (a crash skips
   * close()).
   */
  static void removeStaleDirectories(Path root) {
    try {
      Files.createDirectories(root);
    } catch (IOException e) {
      throw new CommSettingException(
          "cannot create the Aeron directory root "
              + root
              + " ("
              + why(e)
              + "); set comm.aeron.dir to a writable directory of this host",
          e);
    }
    if (!Files.isWritable(root)) {
      throw new CommSettingException(
          "the Aeron directory root "
              + root
              + " is not writable; set comm.aeron.dir to a writable directory of this host");
    }
    try (Stream<Path> children = Files.list(root)) {
      children.forEach(
          child -> {
            Matcher m = PID_SUFFIX.matcher(child.getFileName().toString());
            if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty()) {
              LOG.info("removing stale Aeron directory {} of a process that is gone", child);
              IoUtil.delete(child.toFile(), true);
            }
          });
    } catch (IOException e) {
      LOG.warn("could not list {} to remove stale Aeron directories: {}", root, e.toString());
    }
  }

  /** What went wrong with a file, in words (the exception's type is for --verbose). */
  private static String why(IOException e) {
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof FileAlreadyExistsException) {
      return "a file is in its place";
    }
    if (e instanceof FileSystemException f && f.getReason() != null) {
      return f.getReason();
    }
    return String.valueOf(e.getMessage());
  }

  private static String sanitize(String id) {
    return id.replaceAll("[^A-Za-z0-9_.]", "_");
  }
}
