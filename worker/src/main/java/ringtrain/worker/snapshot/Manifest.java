package ringtrain.worker.snapshot;

import java.io.BufferedReader;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The MANIFEST of a snapshot: one SHA-256 per file, in the format of {@code sha256sum} ({@code
 * <hex> <name>}), so {@code sha256sum -c MANIFEST} checks a snapshot by hand.
 */
record Manifest(Map<String, String> sha256ByFile) {
  private static final Pattern LINE = Pattern.compile("([0-9a-f]{64}) [ *]([^/\\\\]+)");
  private static final int BUFFER_BYTES = 1 << 16;

  Manifest {
    sha256ByFile = Collections.unmodifiableMap(new LinkedHashMap<>(sha256ByFile));
  }

  String render() {
    StringBuilder sb = new StringBuilder();
    sha256ByFile.forEach((file, hash) -> sb.append(hash).append("  ").append(file).append('\n'));
    return sb.toString();
  }

  /** Parses a MANIFEST; empty when the file is missing or any line is malformed. */
  static Optional<Manifest> read(Storage storage, String dir) throws IOException {
    Map<String, String> entries = new LinkedHashMap<>();
    try (BufferedReader reader =
        new BufferedReader(
            new InputStreamReader(
                storage.open(dir, SnapshotLayout.MANIFEST_FILE), StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        if (line.isEmpty()) {
          continue;
        }
        Matcher m = LINE.matcher(line);
        if (!m.matches()) {
          return Optional.empty();
        }
        entries.put(m.group(2), m.group(1));
      }
    } catch (NoSuchFileException | FileNotFoundException e) {
      return Optional.empty();
    }
    return entries.isEmpty() ? Optional.empty() : Optional.of(new Manifest(entries));
  }

  /**
   * Checks every listed file against its hash.
   *
   * @return empty when all match, else why the snapshot is not valid
   */
  Optional<String> verify(Storage storage, String dir) throws IOException {
    for (Map.Entry<String, String> e : sha256ByFile.entrySet()) {
      if (!storage.isFile(dir, e.getKey())) {
        return Optional.of(e.getKey() + " is missing");
      }
      if (!sha256(storage, dir, e.getKey()).equals(e.getValue())) {
        return Optional.of(e.getKey() + " does not match its SHA-256");
      }
    }
    return Optional.empty();
  }

  static String sha256(Storage storage, String dir, String file) throws IOException {
    MessageDigest digest = newDigest();
    byte[] buffer = new byte[BUFFER_BYTES];
    try (InputStream in = storage.open(dir, file)) {
      int n;
      while ((n = in.read(buffer)) > 0) {
        digest.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime provides SHA-256", e);
    }
  }
}
