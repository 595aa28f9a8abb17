package ringtrain.worker.snapshot;

import static ringtrain.worker.snapshot.SnapshotLayout.MANIFEST_FILE;
import static ringtrain.worker.snapshot.SnapshotLayout.NPY_SUFFIX;
import static ringtrain.worker.snapshot.SnapshotLayout.PARAMS_FILE;
import static ringtrain.worker.snapshot.SnapshotLayout.RETIRED_PREFIX;
import static ringtrain.worker.snapshot.SnapshotLayout.STATE_FILE;
import static ringtrain.worker.snapshot.SnapshotLayout.TEMP_PREFIX;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
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
import org.nd4j.linalg.api.ndarray.INDArray;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ringtrain.common.config.LocalPaths;
import ringtrain.common.error.SnapshotException;

/**
 * Training-state snapshots in a directory (DESIGN.md §7): {@code step-%08d/} holding {@code
 * params.npy}, one {@code <name>.npy} per optimizer state vector, {@code state.json} and a {@code
 * MANIFEST} of SHA-256 sums written last.
 *
 * <p>The directory is local ({@link #SnapshotStore(Path, int)}) or on any Hadoop file system
 * ({@link #open}). Where a rename is atomic (local disks, HDFS) a snapshot is assembled in a hidden
 * temporary directory, every file made durable, and only then renamed into place, so a crash at any
 * point leaves either the whole snapshot or none of it. On object stores (S3) it is written in
 * place and the MANIFEST, written last, is the commit. Either way readers trust a snapshot only
 * when every file matches its MANIFEST.
 */
public final class SnapshotStore {
  private static final Logger LOG = LoggerFactory.getLogger(SnapshotStore.class);

  private final Storage storage;
  private final int keep;

  /**
   * @param dir local directory that holds the {@code step-*} snapshots; created on first write
   * @param keep how many valid snapshots to keep (at least 1)
   */
  public SnapshotStore(Path dir, int keep) {
    this(new LocalStorage(dir), keep);
  }

  private SnapshotStore(Storage storage, int keep) {
    if (keep < 1) {
      throw new SnapshotException(
          "snapshot.keep = " + keep + " keeps no snapshot; set snapshot.keep to 1 or more");
    }
    this.storage = storage;
    this.keep = keep;
  }

  /**
   * A store at {@code location}: a local path, or a Hadoop URI ({@code hdfs://nn:8020/ckpt}, {@code
   * s3a://bucket/ckpt}, ...) read with the Hadoop settings on the classpath.
   */
  public static SnapshotStore open(String location, int keep) {
    return open(location, keep, Map.of());
  }

  /**
   * Like {@link #open(String, int)}, with {@code hadoopSettings} (such as {@code fs.s3a.endpoint})
   * set on top of the Hadoop configuration found on the classpath.
   */
  public static SnapshotStore open(String location, int keep, Map<String, String> hadoopSettings) {
    if (!LocalPaths.isHadoopUri(location)) {
      return new SnapshotStore(LocalPaths.localPath(location), keep);
    }
    try {
      return new SnapshotStore(new HadoopStorage(location, hadoopSettings), keep);
    } catch (IOException | RuntimeException e) {
      throw new SnapshotException(
          "cannot open snapshot.dir "
              + location
              + ": "
              + DurableFiles.oneLine(e)
              + "; check the URI and the Hadoop settings (core-site.xml) for its file system",
          e);
    }
  }

  /** Where the snapshots are, as a local path or a URI. */
  public String location() {
    return storage.root();
  }

  /**
   * Writes {@code step-%08d/} atomically, then deletes all but the newest {@code keep} valid
   * snapshots. A snapshot already present for the same step is replaced.
   *
   * @return the final snapshot directory for a local store; {@code null} for one on a Hadoop file
   *     system, whose snapshots {@link #validSnapshotNames()} names
   */
  public Path write(TrainingState state) {
    ensureWritableDirectory();
    removeScratch();
    String name = SnapshotLayout.dirName(state.step());
    String staging = storage.renameIsAtomic() ? TEMP_PREFIX + name + "-" + UUID.randomUUID() : name;
    try {
      if (!storage.renameIsAtomic()) {
        retireInPlace(name);
      }
      storage.createDir(staging);
      Map<String, String> hashes = new LinkedHashMap<>();
      hashes.put(
          PARAMS_FILE,
          DurableFiles.writeNpy(storage, staging, PARAMS_FILE, state.params(), "params"));
      for (Map.Entry<String, INDArray> e : state.optimizerState().entrySet()) {
        String file = e.getKey() + NPY_SUFFIX;
        hashes.put(file, DurableFiles.writeNpy(storage, staging, file, e.getValue(), e.getKey()));
      }
      hashes.put(
          STATE_FILE,
          DurableFiles.writeBytes(storage, staging, STATE_FILE, StateJson.render(state)));
      // Written last: its presence is what makes the directory a snapshot.
      DurableFiles.writeBytes(
          storage,
          staging,
          MANIFEST_FILE,
          new Manifest(hashes).render().getBytes(StandardCharsets.UTF_8));
      storage.syncDir(staging);
      if (storage.renameIsAtomic()) {
        publish(staging, name);
      }
    } catch (IOException | UncheckedIOException e) {
      storage.deleteTree(staging);
      throw new SnapshotException(
          "cannot write snapshot "
              + storage.locate(name)
              + ": "
              + DurableFiles.oneLine(e)
              + "; check that snapshot.dir is writable and has free space",
          e);
    }
    prune(name, state.step());
    return storage instanceof LocalStorage local ? local.resolve(name) : null;
  }

  /**
   * The newest snapshot whose MANIFEST exists and whose every file matches its SHA-256. Invalid or
   * incomplete snapshots are skipped with a warning naming them.
   */
  public Optional<TrainingState> latestValid() {
    List<String> newestFirst = new ArrayList<>(snapshotDirs());
    Collections.reverse(newestFirst);
    for (String candidate : newestFirst) {
      Optional<String> problem = check(candidate);
      if (problem.isEmpty()) {
        try {
          return Optional.of(load(candidate));
        } catch (IOException | RuntimeException e) {
          problem = Optional.of("cannot be read: " + DurableFiles.oneLine(e));
        }
      }
      LOG.warn("Skipping snapshot {}: {}", storage.locate(candidate), problem.get());
    }
    return Optional.empty();
  }

  /** The names ({@code step-%08d}) of every valid snapshot, oldest first. */
  public List<String> validSnapshotNames() {
    List<String> valid = new ArrayList<>();
    for (String candidate : snapshotDirs()) {
      if (check(candidate).isEmpty()) {
        valid.add(candidate);
      }
    }
    return valid;
  }

  /**
   * Every valid snapshot directory of a local store, oldest first.
   *
   * @throws IllegalStateException for a store on a Hadoop file system
   */
  public List<Path> validSnapshots() {
    if (!(storage instanceof LocalStorage local)) {
      throw new IllegalStateException(
          storage.root() + " is not a local directory; use validSnapshotNames()");
    }
    return validSnapshotNames().stream().map(local::resolve).toList();
  }

  /** Why {@code snapshotDir} is not a valid snapshot, or empty when it is. */
  private Optional<String> check(String snapshotDir) {
    try {
      Optional<Manifest> manifest = Manifest.read(storage, snapshotDir);
      if (manifest.isEmpty()) {
        return Optional.of("MANIFEST is missing or malformed (incomplete snapshot)");
      }
      Map<String, String> listed = manifest.get().sha256ByFile();
      if (!listed.containsKey(PARAMS_FILE) || !listed.containsKey(STATE_FILE)) {
        return Optional.of("MANIFEST does not list " + PARAMS_FILE + " and " + STATE_FILE);
      }
      return manifest.get().verify(storage, snapshotDir);
    } catch (IOException e) {
      return Optional.of("cannot be read: " + DurableFiles.oneLine(e));
    }
  }

  private TrainingState load(String snapshotDir) throws IOException {
    byte[] stateBytes;
    try (InputStream in = storage.open(snapshotDir, STATE_FILE)) {
      stateBytes = in.readAllBytes();
    }
    StateJson.Header h = StateJson.parse(stateBytes);
    Set<String> listed = Manifest.read(storage, snapshotDir).orElseThrow().sha256ByFile().keySet();
    INDArray params = DurableFiles.readNpy(storage, snapshotDir, PARAMS_FILE);
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
      optimizerState.put(name, DurableFiles.readNpy(storage, snapshotDir, file));
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
  private void publish(String tmp, String target) throws IOException {
    String retired = null;
    if (isDirectory(target)) {
      retired = RETIRED_PREFIX + target + "-" + UUID.randomUUID();
      storage.rename(target, retired);
    }
    storage.rename(tmp, target);
    storage.syncDir(null);
    if (retired != null) {
      storage.deleteTree(retired);
    }
  }

  /**
   * Without an atomic rename a snapshot is rewritten in place: its MANIFEST goes first, so that no
   * reader takes the half-replaced directory for a snapshot, then the rest.
   */
  private void retireInPlace(String name) throws IOException {
    if (isDirectory(name)) {
      storage.delete(name, MANIFEST_FILE);
      storage.deleteTree(name);
    }
  }

  private boolean isDirectory(String name) throws IOException {
    for (Storage.Entry e : storage.list()) {
      if (e.directory() && e.name().equals(name)) {
        return true;
      }
    }
    return false;
  }

  /** Keeps {@code written} plus the newest valid snapshots up to {@code keep}; deletes older. */
  private void prune(String written, long writtenStep) {
    List<String> all = snapshotDirs();
    Set<String> kept = new HashSet<>();
    kept.add(written);
    for (int i = all.size() - 1; i >= 0 && kept.size() < keep; i--) {
      String candidate = all.get(i);
      // Re-hashed every time: a snapshot corrupted on disk must not take the place of a good one.
      if (!candidate.equals(written) && check(candidate).isEmpty()) {
        kept.add(candidate);
      }
    }
    for (String candidate : all) {
      // Snapshots newer than the one just written come from another lineage; never touch them.
      if (!kept.contains(candidate) && stepOf(candidate) < writtenStep) {
        storage.deleteTree(candidate);
      }
    }
  }

  /** Removes temporary and retired directories left by a writer that died. */
  private void removeScratch() {
    for (Storage.Entry entry : list()) {
      if (SnapshotLayout.isScratch(entry.name()) && entry.directory()) {
        LOG.info("Removing leftover snapshot scratch directory {}", storage.locate(entry.name()));
        storage.deleteTree(entry.name());
      }
    }
  }

  /** The {@code step-*} directories, oldest first. */
  private List<String> snapshotDirs() {
    List<String> dirs = new ArrayList<>();
    for (Storage.Entry entry : list()) {
      if (SnapshotLayout.stepOf(entry.name()).isPresent() && entry.directory()) {
        dirs.add(entry.name());
      }
    }
    dirs.sort(Comparator.comparingLong(SnapshotStore::stepOf));
    return dirs;
  }

  private static long stepOf(String snapshotDir) {
    return SnapshotLayout.stepOf(snapshotDir).orElseThrow();
  }

  private List<Storage.Entry> list() {
    try {
      Storage.RootKind kind = storage.rootKind();
      if (kind == Storage.RootKind.MISSING) {
        return List.of();
      }
      if (kind == Storage.RootKind.FILE) {
        throw notADirectory();
      }
      return storage.list();
    } catch (IOException | UncheckedIOException e) {
      throw new SnapshotException(
          "cannot list snapshot.dir "
              + storage.root()
              + ": "
              + DurableFiles.oneLine(e)
              + "; make it readable",
          e);
    }
  }

  private void ensureWritableDirectory() {
    try {
      if (storage.rootKind() == Storage.RootKind.FILE) {
        throw notADirectory();
      }
      storage.createRoot();
      if (!storage.rootWritable()) {
        throw new SnapshotException(
            "snapshot.dir "
                + storage.root()
                + " is not writable; fix its permissions or set snapshot.dir elsewhere");
      }
    } catch (IOException | UncheckedIOException e) {
      throw new SnapshotException(
          "cannot create snapshot.dir "
              + storage.root()
              + ": "
              + DurableFiles.oneLine(e)
              + "; set snapshot.dir to a writable directory",
          e);
    }
  }

  private SnapshotException notADirectory() {
    return new SnapshotException(
        "snapshot.dir "
            + storage.root()
            + " is a file, not a directory; remove it or set snapshot.dir to a directory");
  }
}
