package ringtrain.worker.snapshot;

import java.io.FileNotFoundException;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.StreamCapabilities;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A snapshot directory on a Hadoop file system ({@code hdfs:}, {@code s3a:}, ...). HDFS and the
 * other file systems in {@link #ATOMIC_RENAME} rename a directory atomically; on every other scheme
 * (object stores, where a rename is a copy) the store commits with the MANIFEST instead. Files are
 * hsynced before close where the stream can; an object store makes a file visible only once it is
 * closed, which is the durability it offers.
 */
final class HadoopStorage implements Storage {
  private static final Logger LOG = LoggerFactory.getLogger(HadoopStorage.class);

  /** Schemes whose directory rename is one atomic metadata operation. */
  static final Set<String> ATOMIC_RENAME = Set.of("hdfs", "viewfs", "webhdfs", "swebhdfs", "file");

  private final String location;
  private final org.apache.hadoop.fs.Path dir;
  private final FileSystem fs;
  private final boolean atomicRename;

  /**
   * @param location a URI with a scheme, such as {@code hdfs://namenode:8020/ckpt}
   * @param settings Hadoop settings on top of those found on the classpath (core-site.xml)
   */
  HadoopStorage(String location, Map<String, String> settings) throws IOException {
    this.location = location;
    Configuration conf = new Configuration();
    settings.forEach(conf::set);
    this.dir = new org.apache.hadoop.fs.Path(URI.create(location));
    this.fs = dir.getFileSystem(conf);
    String scheme = fs.getUri().getScheme();
    this.atomicRename = scheme != null && ATOMIC_RENAME.contains(scheme.toLowerCase(Locale.ROOT));
  }

  private org.apache.hadoop.fs.Path child(String name) {
    return new org.apache.hadoop.fs.Path(dir, name);
  }

  private org.apache.hadoop.fs.Path file(String name, String file) {
    return new org.apache.hadoop.fs.Path(child(name), file);
  }

  @Override
  public String root() {
    return location;
  }

  @Override
  public String locate(String name) {
    return child(name).toString();
  }

  @Override
  public boolean renameIsAtomic() {
    return atomicRename;
  }

  @Override
  public RootKind rootKind() throws IOException {
    try {
      return fs.getFileStatus(dir).isDirectory() ? RootKind.DIRECTORY : RootKind.FILE;
    } catch (FileNotFoundException e) {
      return RootKind.MISSING;
    }
  }

  @Override
  public void createRoot() throws IOException {
    if (!fs.mkdirs(dir)) {
      throw new IOException("mkdirs returned false");
    }
  }

  @Override
  public boolean rootWritable() {
    // Permissions and bucket policies are only known by trying; the first write says.
    return true;
  }

  @Override
  public List<Entry> list() throws IOException {
    FileStatus[] statuses;
    try {
      statuses = fs.listStatus(dir);
    } catch (FileNotFoundException e) {
      return List.of();
    }
    List<Entry> entries = new ArrayList<>();
    for (FileStatus s : statuses) {
      entries.add(new Entry(s.getPath().getName(), s.isDirectory()));
    }
    return entries;
  }

  @Override
  public void createDir(String name) throws IOException {
    if (!fs.mkdirs(child(name))) {
      throw new IOException("cannot create " + child(name));
    }
  }

  @Override
  public OutputStream create(String name, String file) throws IOException {
    FSDataOutputStream stream = fs.create(file(name, file), true);
    return new FilterOutputStream(stream) {
      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
      }

      @Override
      public void close() throws IOException {
        try (stream) {
          stream.flush();
          if (stream.hasCapability(StreamCapabilities.HSYNC)) {
            stream.hsync();
          }
        }
      }
    };
  }

  @Override
  public InputStream open(String name, String file) throws IOException {
    return fs.open(file(name, file));
  }

  @Override
  public INDArray readNpy(String name, String file) throws IOException {
    byte[] bytes;
    try (InputStream in = open(name, file)) {
      bytes = in.readAllBytes();
    }
    // A copy, so the array owns its memory rather than a view of the parsed buffer.
    return Nd4j.createNpyFromByteArray(bytes).dup();
  }

  @Override
  public boolean isFile(String name, String file) throws IOException {
    try {
      return fs.getFileStatus(file(name, file)).isFile();
    } catch (FileNotFoundException e) {
      return false;
    }
  }

  @Override
  public void delete(String name, String file) throws IOException {
    fs.delete(file(name, file), false);
  }

  @Override
  public void rename(String from, String to) throws IOException {
    // FileSystem.rename moves into an existing directory instead of failing: refuse that here.
    if (fs.exists(child(to))) {
      throw new IOException(child(to) + " already exists");
    }
    if (!fs.rename(child(from), child(to))) {
      throw new IOException("cannot rename " + child(from) + " to " + child(to));
    }
  }

  @Override
  public void syncDir(String name) {
    // A rename on HDFS is durable once the NameNode has acknowledged it.
  }

  @Override
  public void deleteTree(String name) {
    try {
      fs.delete(child(name), true);
    } catch (IOException e) {
      LOG.warn("Cannot delete {}: {}", child(name), DurableFiles.oneLine(e));
    }
  }
}
