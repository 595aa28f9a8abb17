package ringtrain.worker.snapshot;

import java.io.FileOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A snapshot directory on a local or mounted file system, through {@code java.nio}: files are
 * fsynced before they are closed, directories after a rename, and a rename is atomic.
 */
final class LocalStorage implements Storage {
  private static final Logger LOG = LoggerFactory.getLogger(LocalStorage.class);

  private final Path dir;

  LocalStorage(Path dir) {
    this.dir = dir.toAbsolutePath().normalize();
  }

  Path dir() {
    return dir;
  }

  Path resolve(String child) {
    return dir.resolve(child);
  }

  @Override
  public String root() {
    return dir.toString();
  }

  @Override
  public String locate(String child) {
    return dir.resolve(child).toString();
  }

  @Override
  public boolean renameIsAtomic() {
    return true;
  }

  @Override
  public RootKind rootKind() {
    if (!Files.exists(dir)) {
      return RootKind.MISSING;
    }
    return Files.isDirectory(dir) ? RootKind.DIRECTORY : RootKind.FILE;
  }

  @Override
  public void createRoot() throws IOException {
    Files.createDirectories(dir);
  }

  @Override
  public boolean rootWritable() {
    return Files.isWritable(dir);
  }

  @Override
  public List<Entry> list() throws IOException {
    if (!Files.exists(dir)) {
      return List.of();
    }
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.map(p -> new Entry(p.getFileName().toString(), Files.isDirectory(p))).toList();
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  @Override
  public void createDir(String child) throws IOException {
    Files.createDirectory(dir.resolve(child));
  }

  @Override
  public OutputStream create(String child, String file) throws IOException {
    FileOutputStream fos = new FileOutputStream(dir.resolve(child).resolve(file).toFile());
    return new FilterOutputStream(fos) {
      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
      }

      @Override
      public void close() throws IOException {
        try (fos) {
          fos.flush();
          fos.getChannel().force(true);
        }
      }
    };
  }

  @Override
  public InputStream open(String child, String file) throws IOException {
    return Files.newInputStream(dir.resolve(child).resolve(file));
  }

  @Override
  public INDArray readNpy(String child, String file) {
    return Nd4j.createFromNpyFile(dir.resolve(child).resolve(file).toFile());
  }

  @Override
  public boolean isFile(String child, String file) {
    return Files.isRegularFile(dir.resolve(child).resolve(file));
  }

  @Override
  public void delete(String child, String file) throws IOException {
    Files.deleteIfExists(dir.resolve(child).resolve(file));
  }

  @Override
  public void rename(String from, String to) throws IOException {
    try {
      Files.move(dir.resolve(from), dir.resolve(to), StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("the file system of " + dir + " cannot rename atomically", e);
    }
  }

  @Override
  public void syncDir(String child) {
    Path directory = child == null ? dir : dir.resolve(child);
    try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      // Some file systems refuse to fsync a directory; the rename itself is still atomic.
      LOG.debug("Cannot fsync directory {}: {}", directory, e.toString());
    }
  }

  @Override
  public void deleteTree(String child) {
    Path root = dir.resolve(child);
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException | UncheckedIOException e) {
      LOG.warn("Cannot delete {}: {}", root, DurableFiles.oneLine(e));
    }
  }
}
