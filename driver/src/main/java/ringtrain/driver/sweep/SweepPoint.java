package ringtrain.driver.sweep;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One point of a sweep: its {@code key=value} settings, layered over the base config like {@code
 * --set}. Its run directory's name is derived from the settings alone, so the same point finds the
 * same directory however the grid is written.
 *
 * @param settings {@code key=value} overrides, in the order given
 */
public record SweepPoint(List<String> settings) {

  /** Keys that set the global batch; the rest of a point's settings name its rule. */
  static final Set<String> BATCH_KEYS =
      Set.of("train.micro_batch", "train.accumulation", "train.world_size");

  public SweepPoint {
    settings = List.copyOf(settings);
  }

  /** The run directory's name: the settings made file-safe, plus a short hash of them. */
  public String name() {
    String readable =
        settings.stream()
            .map(s -> s.replaceAll("[^A-Za-z0-9.=+-]", "_"))
            .collect(Collectors.joining("_"));
    if (readable.length() > 80) {
      readable = readable.substring(0, 80);
    }
    return (readable.isEmpty() ? "base" : readable) + "-" + hash();
  }

  /** The settings that do not set the batch: what the plots compare across batch sizes. */
  public String rule() {
    String rule =
        settings.stream()
            .filter(s -> !BATCH_KEYS.contains(key(s)))
            .collect(Collectors.joining(" "));
    return rule.isEmpty() ? "base" : rule;
  }

  /** The settings as one string, {@code key=value} joined by spaces. */
  public String label() {
    return settings.isEmpty() ? "(base)" : String.join(" ", settings);
  }

  static String key(String setting) {
    int eq = setting.indexOf('=');
    return (eq < 0 ? setting : setting.substring(0, eq)).trim();
  }

  private String hash() {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(String.join("\n", settings).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest).substring(0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java runtime", e);
    }
  }
}
