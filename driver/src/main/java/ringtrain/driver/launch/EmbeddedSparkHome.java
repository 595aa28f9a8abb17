package ringtrain.driver.launch;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/**
 * A Spark home made of links to the jars this JVM runs from, so that {@code local-cluster[...]} can
 * launch executor JVMs without a Spark installation. Spark's command builder takes the executor
 * classpath from {@code HOME/assembly/target/scala-2.12/jars/*} when {@code spark.testing} is set
 * and the Scala version from {@code HOME/launcher/target/scala-2.12}; class directories (tests, IDE
 * runs) cannot be globbed and travel on {@code spark.executor.extraClassPath} instead.
 *
 * @param home the directory to pass as {@code spark.test.home}
 * @param classDirectories classpath entries that are directories, joined with the path separator
 */
public record EmbeddedSparkHome(Path home, String classDirectories) {
  static final String SCALA = "2.12";

  /** Builds a home under a new temporary directory, removed when the JVM exits. */
  public static EmbeddedSparkHome create() {
    try {
      Path home = Files.createTempDirectory("ringtrain-spark-home-");
      Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(home)));
      return create(home, classpath());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create an embedded Spark home", e);
    }
  }

  static EmbeddedSparkHome create(Path home, List<Path> classpath) throws IOException {
    Path jars = home.resolve("assembly/target/scala-" + SCALA + "/jars");
    Files.createDirectories(jars);
    Files.createDirectories(home.resolve("launcher/target/scala-" + SCALA));
    Set<String> names = new LinkedHashSet<>();
    List<String> directories = new ArrayList<>();
    for (Path entry : classpath) {
      Path absolute = entry.toAbsolutePath().normalize();
      if (Files.isDirectory(absolute)) {
        directories.add(absolute.toString());
      } else if (Files.isRegularFile(absolute) && absolute.toString().endsWith(".jar")) {
        // Two jars with one file name (different groups) both belong on the classpath.
        String name = absolute.getFileName().toString();
        if (!names.add(name)) {
          name = names.size() + "-" + name;
          names.add(name);
        }
        Files.createSymbolicLink(jars.resolve(name), absolute);
      }
    }
    return new EmbeddedSparkHome(home, String.join(File.pathSeparator, directories));
  }

  /**
   * The entries of {@code java.class.path}, with manifest-only jars (Maven Surefire's booter,
   * {@code java -jar app.jar}) replaced by the {@code Class-Path} they name.
   */
  static List<Path> classpath() throws IOException {
    List<Path> entries = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
      if (entry.isBlank()) {
        continue;
      }
      Path path = Path.of(entry);
      entries.add(path);
      if (entry.endsWith(".jar") && Files.isRegularFile(path)) {
        entries.addAll(manifestClassPath(path));
      }
    }
    return entries;
  }

  private static List<Path> manifestClassPath(Path jar) throws IOException {
    List<Path> entries = new ArrayList<>();
    try (JarFile file = new JarFile(jar.toFile())) {
      Manifest manifest = file.getManifest();
      String classPath =
          manifest == null
              ? null
              : manifest.getMainAttributes().getValue(Attributes.Name.CLASS_PATH);
      if (classPath == null) {
        return entries;
      }
      for (String item : classPath.trim().split("\\s+")) {
        URI uri = jar.toUri().resolve(item);
        if ("file".equals(uri.getScheme())) {
          entries.add(Path.of(uri));
        }
      }
    }
    return entries;
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // Best effort at JVM exit: a leftover temporary directory is harmless.
    }
  }
}
