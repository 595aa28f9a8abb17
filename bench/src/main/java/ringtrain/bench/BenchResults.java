package ringtrain.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Where a benchmark's JSON goes: {@code <dir>/<benchmark>-<yyyyMMdd-HHmmss, UTC>.json}, indented,
 * one file per invocation, as {@code bench/results/} and {@code docs/performance.md} name them.
 */
public final class BenchResults {
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

  private BenchResults() {}

  /** Writes {@code json} (maps, lists, numbers, strings) and prints where; returns the file. */
  public static Path write(Path dir, String benchmark, Object json) throws IOException {
    Files.createDirectories(dir);
    Path file = dir.resolve(benchmark + "-" + STAMP.format(Instant.now()) + ".json");
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(file.toFile(), json);
    System.out.println("wrote " + file);
    return file;
  }
}
