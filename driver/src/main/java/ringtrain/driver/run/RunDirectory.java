package ringtrain.driver.run;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;
import ringtrain.common.error.UserException;

/**
 * The run directory ({@code --out}): config.conf, plan.txt, metrics.jsonl, summary.json, plots/,
 * model.zip and snapshots/. A fresh run refuses a directory that already holds a run, so nothing
 * already written is overwritten by mistake; {@code --resume} continues it.
 */
public final class RunDirectory {
  private final Path root;

  private RunDirectory(Path root) {
    this.root = root;
  }

  /**
   * Opens {@code root} for a run.
   *
   * @param resume true to continue the run already in {@code root}
   */
  public static RunDirectory open(Path root, boolean resume) {
    if (Files.exists(root) && !Files.isDirectory(root)) {
      throw new UserException(
          "--out " + root + " is a file; give a directory for the run's outputs");
    }
    boolean holdsRun = Files.exists(root.resolve("config.conf"));
    if (holdsRun && !resume) {
      throw new UserException(
          "--out "
              + root
              + " already holds a run; pass --resume to continue it, or choose another --out");
    }
    if (!holdsRun && resume && !Files.isDirectory(root)) {
      throw new UserException(
          "--resume: " + root + " does not exist; give the --out directory of the run to continue");
    }
    try {
      Files.createDirectories(root);
    } catch (IOException e) {
      throw new UserException(
          "cannot create --out " + root + " (" + e.getMessage() + "); choose a writable directory");
    }
    if (!Files.isWritable(root)) {
      throw new UserException("--out " + root + " is not writable; choose a writable directory");
    }
    return new RunDirectory(root);
  }

  public Path root() {
    return root;
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
