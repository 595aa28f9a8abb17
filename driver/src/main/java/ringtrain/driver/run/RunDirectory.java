package ringtrain.driver.run;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.stream.Stream;
import ringtrain.common.error.UserException;

/**
 * The run directory ({@code --out}): config.conf, plan.txt, metrics.jsonl, summary.json, plots/,
 * model.zip and snapshots/. A fresh run refuses a directory that already holds a run (one that made
 * progress: metrics, a snapshot, a model), so nothing already written is overwritten by mistake;
 * {@code --resume} continues it. A run that failed before its first step leaves nothing worth
 * keeping, so the corrected command may use the same directory; one that failed on a mistake the
 * user must fix leaves nothing at all ({@link #discardUnstarted}).
 *
 * <p>One run at a time: the directory is owned through an OS file lock on {@value #LOCK_FILE}, held
 * until {@link #close()} or the end of the process (the kernel releases it on kill -9 too); the
 * file names the owner's pid and host for the message a second run prints.
 */
public final class RunDirectory implements AutoCloseable {
  /** The lock file inside the run directory. */
  public static final String LOCK_FILE = ".ringtrain.lock";

  private final Path root;
  private final FileChannel lockChannel;
  private final FileLock lock;

  private RunDirectory(Path root, FileChannel lockChannel, FileLock lock) {
    this.root = root;
    this.lockChannel = lockChannel;
    this.lock = lock;
  }

  /**
   * Opens {@code root} for a run and takes its lock.
   *
   * @param resume true to continue the run already in {@code root}
   */
  public static RunDirectory open(Path root, boolean resume) {
    checkUsable(root, resume);
    try {
      Files.createDirectories(root);
    } catch (IOException e) {
      throw new UserException(
          "cannot create --out " + root + " (" + e.getMessage() + "); choose a writable directory");
    }
    if (!Files.isWritable(root)) {
      throw new UserException("--out " + root + " is not writable; choose a writable directory");
    }
    return lock(root);
  }

  /**
   * Checks what {@link #open} checks without creating or changing anything: that {@code root} is
   * not a file, not in use by another run, and (without {@code resume}) holds no earlier run.
   */
  public static void checkUsable(Path root, boolean resume) {
    if (Files.exists(root) && !Files.isDirectory(root)) {
      throw new UserException(
          "--out " + root + " is a file; give a directory for the run's outputs");
    }
    if (!resume && holdsRun(root)) {
      String holder = holderIfLocked(root);
      if (holder != null) {
        throw inUse(root, holder);
      }
      throw new UserException(
          "--out "
              + root
              + " already holds a run; pass --resume to continue it, or choose another --out");
    }
    if (resume && !Files.isDirectory(root)) {
      throw new UserException(
          "--resume: " + root + " does not exist; give the --out directory of the run to continue");
    }
    if (Files.isDirectory(root) && !Files.isWritable(root)) {
      throw new UserException("--out " + root + " is not writable; choose a writable directory");
    }
  }

  /**
   * Whether {@code root} holds a run that got somewhere: a logged step, a snapshot, a model or a
   * summary. config.conf and plan.txt alone are what a run that failed before its first step left.
   */
  static boolean holdsRun(Path root) {
    if (!Files.exists(root.resolve("config.conf"))) {
      return false;
    }
    return nonEmpty(root.resolve("metrics.jsonl"))
        || Files.exists(root.resolve("model.zip"))
        || Files.exists(root.resolve("summary.json"))
        || nonEmpty(root.resolve("snapshots"));
  }

  private static boolean nonEmpty(Path p) {
    try {
      if (Files.isDirectory(p)) {
        try (Stream<Path> entries = Files.list(p)) {
          return entries.findAny().isPresent();
        }
      }
      return Files.isRegularFile(p) && Files.size(p) > 0;
    } catch (IOException e) {
      return true; // unreadable: better refuse than overwrite
    }
  }

  private static RunDirectory lock(Path root) {
    Path file = root.resolve(LOCK_FILE);
    FileChannel channel = null;
    try {
      channel =
          FileChannel.open(
              file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null; // held by another run in this JVM
      }
      if (lock == null) {
        String holder = readHolder(channel);
        channel.close();
        throw inUse(root, holder);
      }
      byte[] me = (ProcessHandle.current().pid() + "@" + hostName() + "\n").getBytes(UTF8);
      channel.truncate(0);
      channel.write(ByteBuffer.wrap(me), 0);
      channel.force(false);
      return new RunDirectory(root, channel, lock);
    } catch (IOException e) {
      closeQuietly(channel);
      throw new UserException(
          "cannot lock " + file + " (" + e.getMessage() + "); choose a writable --out");
    }
  }

  /** The holder named in a lock file that another process holds locked, else null. */
  private static String holderIfLocked(Path root) {
    Path file = root.resolve(LOCK_FILE);
    if (!Files.isRegularFile(file)) {
      return null;
    }
    // Opened for writing only because an exclusive lock needs it; nothing is written.
    try (FileChannel channel =
        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      FileLock probe;
      try {
        probe = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        return readHolder(channel);
      }
      if (probe != null) {
        probe.release();
        return null;
      }
      return readHolder(channel);
    } catch (IOException e) {
      return null;
    }
  }

  private static final java.nio.charset.Charset UTF8 = StandardCharsets.UTF_8;

  private static String readHolder(FileChannel channel) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(256);
    channel.read(buf, 0);
    String text = new String(buf.array(), 0, buf.position(), UTF8).strip();
    return text.isEmpty() ? "another process" : text;
  }

  private static UserException inUse(Path root, String holder) {
    String who = holder;
    int at = holder.indexOf('@');
    if (at > 0) {
      who = "pid " + holder.substring(0, at) + " on host " + holder.substring(at + 1);
    }
    return new UserException(
        "--out "
            + root
            + " is in use by another ringtrain run ("
            + who
            + "); wait for it to end, or choose another --out");
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "unknown-host";
    }
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel == null) {
      return;
    }
    try {
      channel.close();
    } catch (IOException ignored) {
      // Closing releases the lock; there is nothing else to undo.
    }
  }

  /** Releases the lock (the process ending does the same). */
  @Override
  public void close() {
    try {
      if (lock.isValid()) {
        lock.release();
      }
    } catch (IOException ignored) {
      // The channel's close below releases it as well.
    }
    closeQuietly(lockChannel);
  }

  public Path root() {
    return root;
  }

  /**
   * Removes what a fresh run writes before its first step (config.conf, plan.txt, an empty
   * metrics.jsonl, an empty snapshots/), when the run ended on a mistake the user must fix: the
   * directory is then as a refusal before the run leaves it, the lock file aside. Does nothing when
   * the directory holds a run that got somewhere ({@link #holdsRun}).
   */
  public void discardUnstarted() throws IOException {
    if (holdsRun(root)) {
      return;
    }
    for (String name : new String[] {"config.conf", "plan.txt", "metrics.jsonl"}) {
      Files.deleteIfExists(root.resolve(name));
    }
    Path snapshots = root.resolve("snapshots");
    if (Files.isDirectory(snapshots) && !nonEmpty(snapshots)) {
      Files.delete(snapshots);
    }
  }

  public Path file(String name) {
    return root.resolve(name);
  }

  public Path plots() {
    return root.resolve("plots");
  }

  public Path snapshots() {
    return root.resolve("snapshots");
  }

  /** Writes {@code name} atomically: a temporary file renamed over the target. */
  public void writeText(String name, String text) {
    Path target = root.resolve(name);
    Path tmp = root.resolve("." + name + ".tmp");
    try {
      Files.writeString(tmp, text, StandardCharsets.UTF_8);
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UserException(
          "cannot write "
              + target
              + " ("
              + e.getMessage()
              + "); check the disk and permissions of --out");
    }
  }

  /** True when the directory has no entries yet. */
  public boolean isEmpty() {
    try (Stream<Path> entries = Files.list(root)) {
      return entries.findAny().isEmpty();
    } catch (IOException e) {
      return false;
    }
  }
}
