package ringtrain.worker.snapshot;

import static ringtrain.worker.snapshot.SnapshotLayout.MANIFEST_FILE;
import static ringtrain.worker.snapshot.SnapshotLayout.NPY_SUFFIX;
import static ringtrain.worker.snapshot.SnapshotLayout.PARAMS_FILE;
import static ringtrain.worker.snapshot.SnapshotLayout.RETIRED_PREFIX;
import static ringtrain.worker.snapshot.SnapshotLayout.STATE_FILE;
import static ringtrain.worker.snapshot.SnapshotLayout.TEMP_PREFIX;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ringtrain.common.error.SnapshotException;

/**
 * Training-state snapshots in a directory (DESIGN.md §7): {@code step-%08d/} holding {@code
 * params.npy}, one {@code <name>.npy} per optimizer state vector, {@code state.json} and a {@code
 * MANIFEST} of SHA-256 sums written last.
 *
 * <p>A snapshot is assembled in a hidden temporary directory, every file and the directory are
 * fsynced, and only then is it renamed into place, so a crash at any point leaves either the whole
 * snapshot or none of it. Readers trust a snapshot only when every file matches its MANIFEST.
 */
public final class SnapshotStore {
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotStore.class);

  private final Path dir;
  private final int keep;

  /**
   * @param dir directory that holds the {@code step-*} snapshots; created on first write
   * @param keep how many valid snapshots to keep (at least 1)
   */
  public SnapshotStore(Path dir, int keep) {
    if (keep < 1) {
      throw new SnapshotException(
          "snapshot.keep = " + keep + " keeps no snapshot; set snapshot.keep to 1 or more");
    }
    this.dir = dir.toAbsolutePath().normalize();
    this.keep = keep;
  }

  public Path dir() {
    return dir;
  }

  /**
   * Writes {@code step-%08d/} atomically, then deletes all but the newest {@code keep} valid
   * snapshots. A snapshot already present for the same step is replaced.
   *
   * @return the final snapshot directory
   */
  public Path write(TrainingState state) {
    ensureWritableDirectory();
    removeScratch();
    String name = SnapshotLayout.dirName(state.step());
    Path target = dir.resolve(name);
    Path tmp = dir.resolve(TEMP_PREFIX + name + "-" + UUID.randomUUID());
    try {
      Files.createDirectory(tmp);
      Map<String, String> hashes = new LinkedHashMap<>();
      hashes.put(
          PARAMS_FILE, DurableFiles.writeNpy(tmp.resolve(PARAMS_FILE), state.params(), "params"));
      for (Map.Entry<String, INDArray> e : state.optimizerState().entrySet()) {
        String file = e.getKey() + NPY_SUFFIX;
        hashes.put(file, DurableFiles.writeNpy(tmp.resolve(file), e.getValue(), e.getKey()));
      }
      hashes.put(
          STATE_FILE, DurableFiles.writeBytes(tmp.resolve(STATE_FILE), StateJson.render(state)));
      // Written last: its presence is what makes the directory a snapshot.
      DurableFiles.writeBytes(
          tmp.resolve(MANIFEST_FILE),
          new Manifest(hashes).render().getBytes(StandardCharsets.UTF_8));
      DurableFiles.fsyncDirectory(tmp);
      publish(tmp, target);
    } catch (IOException | UncheckedIOException e) {
      DurableFiles.deleteTree(tmp);
      throw new SnapshotException(
          "cannot write snapshot "
              + target
              + ": "
              + DurableFiles.oneLine(e)
              + "; check that snapshot.dir is writable and has free space",
          e);
    }
    prune(target, state.step());
    return target;
  }

  /**
   * The newest snapshot whose MANIFEST exists and whose every file matches its SHA-256. Invalid or
   * incomplete snapshots are skipped with a warning naming them.
   */
  public Optional<TrainingState> latestValid() {
    List<Path> newestFirst = new ArrayList<>(snapshotDirs());
    Collections.reverse(newestFirst);
    for (Path candidate : newestFirst) {
      Optional<String> problem = check(candidate);
      if (problem.isEmpty()) {
        try {
          return Optional.of(load(candidate));
        } catch (IOException | RuntimeException e) {
          problem = Optional.of("cannot be read: " + DurableFiles.oneLine(e));
        }
      }
      LOG.warn("Skipping snapshot {}: {}", candidate, problem.get());
    }
    return Optional.empty();
  }

  /** Every valid snapshot directory, oldest first. */
  public List<Path> validSnapshots() {
    List<Path> valid = new ArrayList<>();
    for (Path candidate : snapshotDirs()) {
      if (check(candidate).isEmpty()) {
        valid.add(candidate);
      }
    }
    return valid;
  }

  /** Why {@code snapshotDir} is not a valid snapshot, or empty when it is. */
  private Optional<String> check(Path snapshotDir) {
    try {
      Optional<Manifest> manifest = Manifest.read(snapshotDir.resolve(MANIFEST_FILE));
      if (manifest.isEmpty()) {
        return Optional.of("MANIFEST is missing or malformed (incomplete snapshot)");
      }
      Map<String, String> listed = manifest.get().sha256ByFile();
      if (!listed.containsKey(PARAMS_FILE) || !listed.containsKey(STATE_FILE)) {
        return Optional.of("MANIFEST does not list " + PARAMS_FILE + " and " + STATE_FILE);
      }
      return manifest.get().verify(snapshotDir);
    } catch (IOException e) {
      return Optional.of("cannot be read: " + DurableFiles.oneLine(e));
    }
  }

  private TrainingState load(Path snapshotDir) throws IOException {
    StateJson.Header h = StateJson.parse(Files.readAllBytes(snapshotDir.resolve(STATE_FILE)));
    Set<String> listed =
        Manifest.read(snapshotDir.resolve(MANIFEST_FILE)).orElseThrow().sha256ByFile().keySet();
    INDArray params = DurableFiles.readNpy(snapshotDir.resolve(PARAMS_FILE));
    if (params.length() != h.paramCount()) {
      throw new IOException(
          PARAMS_FILE + " holds " + params.length() + " values, state.json says " + h.paramCount());
    }
    LinkedHashMap<String, INDArray> optimizerState = new LinkedHashMap<>();
    for (String name : h.optimizerState()) {
      SnapshotLayout.checkStateName(name);
      String file = name + NPY_SUFFIX;
      if (!listed.contains(file)) {
        throw new IOException("MANIFEST does not list " + file);
      }
      optimizerState.put(name, DurableFiles.readNpy(snapshotDir.resolve(file)));
    }
    return new TrainingState(
        h.step(),
        h.epoch(),
        h.cursor(),
        h.seed(),
        h.lossScale(),
        h.configHash(),
        h.worldSize(),
        params,
        optimizerState,
        h.optimizerSteps(),
        h.extra());
  }

  /** Renames the finished temporary directory to its final name, replacing an older copy. */
  private void publish(Path tmp, Path target) throws IOException {
    Path retired = null;
    if (Files.exists(target)) {
      retired = dir.resolve(RETIRED_PREFIX + target.getFileName() + "-" + UUID.randomUUID());
      DurableFiles.moveAtomically(target, retired);
    }
    DurableFiles.moveAtomically(tmp, target);
    DurableFiles.fsyncDirectory(dir);
    if (retired != null) {
      DurableFiles.deleteTree(retired);
    }
  }

  /** Keeps {@code written} plus the newest valid snapshots up to {@code keep}; deletes older. */
  private void prune(Path written, long writtenStep) {
    List<Path> all = snapshotDirs();
    Set<Path> kept = new HashSet<>();
    kept.add(written);
    for (int i = all.size() - 1; i >= 0 && kept.size() < keep; i--) {
      Path candidate = all.get(i);
      // Re-hashed every time: a snapshot corrupted on disk must not take the place of a good one.
      if (!candidate.equals(written) && check(candidate).isEmpty()) {
        kept.add(candidate);
      }
    }
    for (Path candidate : all) {
      // Snapshots newer than the one just written come from another lineage; never touch them.
      if (!kept.contains(candidate) && stepOf(candidate) < writtenStep) {
        DurableFiles.deleteTree(candidate);
      }
    }
  }

  /** Removes temporary and retired directories left by a writer that died. */
  private void removeScratch() {
    for (Path entry : list()) {
      if (SnapshotLayout.isScratch(entry) && Files.isDirectory(entry)) {
        LOG.info("Removing leftover snapshot scratch directory {}", entry);
        DurableFiles.deleteTree(entry);
      }
    }
  }

  /** The {@code step-*} directories, oldest first. */
  private List<Path> snapshotDirs() {
    List<Path> dirs = new ArrayList<>();
    for (Path entry : list()) {
      if (SnapshotLayout.stepOf(entry).isPresent() && Files.isDirectory(entry)) {
        dirs.add(entry);
      }
    }
    dirs.sort(Comparator.comparingLong(SnapshotStore::stepOf));
    return dirs;
  }

  private static long stepOf(Path snapshotDir) {
    return SnapshotLayout.stepOf(snapshotDir).orElseThrow();
  }

  private List<Path> list() {
    if (!Files.exists(dir)) {
      return List.of();
    }
    if (!Files.isDirectory(dir)) {
      throw notADirectory();
    }
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.toList();
    } catch (IOException e) {
      throw new SnapshotException(
          "cannot list snapshot.dir " + dir + ": " + DurableFiles.oneLine(e) + "; make it readable",
          e);
    }
  }

  private void ensureWritableDirectory() {
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw notADirectory();
    }
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new SnapshotException(
          "cannot create snapshot.dir "
              + dir
              + ": "
              + DurableFiles.oneLine(e)
              + "; set snapshot.dir to a writable directory",
          e);
    }
    if (!Files.isWritable(dir)) {
      throw new SnapshotException(
          "snapshot.dir "
              + dir
              + " is not writable; fix its permissions or set snapshot.dir elsewhere");
    }
  }

  private SnapshotException notADirectory() {
    return new SnapshotException(
        "snapshot.dir "
            + dir
            + " is a file, not a directory; remove it or set snapshot.dir to a directory");
  }
}
