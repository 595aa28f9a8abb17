package ringtrain.driver.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigSyntax;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import ringtrain.common.error.ConfigException;

/**
 * Layers the configuration: {@code reference.conf} ⊕ job file ⊕ {@code --set key=value} overrides
 * (later wins), and rejects any key that {@code reference.conf} does not document.
 */
public final class ConfigLoader {
  /** Classpath location of the shipped copy of {@code conf/reference.conf}. */
  public static final String REFERENCE_RESOURCE = "ringtrain/reference.conf";

  private ConfigLoader() {}

  /** The documented defaults. */
  public static Config reference() {
    Config reference =
        ConfigFactory.parseResources(
            ConfigLoader.class.getClassLoader(),
            REFERENCE_RESOURCE,
            ConfigParseOptions.defaults().setAllowMissing(false));
    return reference.resolve();
  }

  /**
   * Loads and resolves the job configuration.
   *
   * @param jobFile HOCON job file, or null for the defaults alone
   * @param overrides {@code key=value} strings, applied in order
   */
  public static Config load(Path jobFile, List<String> overrides) {
    Config reference = reference();
    Config merged = ConfigFactory.empty();
    for (String override : overrides) {
      merged = parseOverride(override).withFallback(merged);
    }
    if (jobFile != null) {
      merged = merged.withFallback(parseJobFile(jobFile));
    }
    rejectUnknownKeys(merged, reference);
    merged = ringtrain.common.config.ScheduleConfig.userWarmup(merged);
    try {
      return merged.withFallback(reference).resolve(ConfigResolveOptions.defaults());
    } catch (com.typesafe.config.ConfigException e) {
      throw new ConfigException(
          "cannot resolve the configuration: "
              + oneLine(e)
              + "; define the key the substitution names, or quote a value that holds ${");
    }
  }

  private static Config parseJobFile(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new ConfigException(
          "job file "
              + file
              + " does not exist or is not a file; pass an existing HOCON file to --conf");
    }
    try {
      return ConfigFactory.parseFile(
          file.toFile(),
          ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF).setAllowMissing(false));
    } catch (com.typesafe.config.ConfigException e) {
      throw new ConfigException(
          "job file "
              + file
              + " is not valid HOCON: "
              + oneLine(e)
              + "; fix the syntax at that line (see conf/reference.conf for the form)");
    }
  }

  private static Config parseOverride(String override) {
    int eq = override.indexOf('=');
    if (eq <= 0) {
      throw new ConfigException(
          "--set " + override + " is not of the form key=value; e.g. --set optim.lr=0.01");
    }
    String key = override.substring(0, eq).trim();
    String value = override.substring(eq + 1).trim();
    try {
      Config parsed = ConfigFactory.parseString(key + " = " + (value.isEmpty() ? "\"\"" : value));
      if (!parsed.hasPathOrNull(key)) {
        throw new ConfigException(
            "--set " + override + " does not name a single key; e.g. --set optim.lr=0.01");
      }
      return parsed;
    } catch (com.typesafe.config.ConfigException e) {
      // A bare word with characters HOCON reserves (a path with ':' for example) is taken as a
      // string.
      try {
        return ConfigFactory.parseMap(Map.of(key, value));
      } catch (com.typesafe.config.ConfigException again) {
        throw new ConfigException("--set " + override + " cannot be parsed: " + oneLine(e));
      }
    }
  }

  private static void rejectUnknownKeys(Config user, Config reference) {
    TreeSet<String> unknown = new TreeSet<>();
    for (Map.Entry<String, ?> entry : user.entrySet()) {
      String key = entry.getKey();
      if (!reference.hasPathOrNull(key)) {
        unknown.add(key);
      }
    }
    if (!unknown.isEmpty()) {
      String first = unknown.first();
      throw new ConfigException(
          "unknown config key "
              + first
              + (unknown.size() > 1 ? " (and " + (unknown.size() - 1) + " more)" : "")
              + "; check the spelling against conf/reference.conf"
              + closest(first, reference));
    }
  }

  private static String closest(String key, Config reference) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (Map.Entry<String, ?> entry : reference.entrySet()) {
      int d = editDistance(key, entry.getKey());
      if (d < bestDistance) {
        bestDistance = d;
        best = entry.getKey();
      }
    }
    return best != null && bestDistance <= 3 ? " (did you mean " + best + "?)" : "";
  }

  private static int editDistance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  private static String oneLine(Exception e) {
    String message = String.valueOf(e.getMessage());
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
