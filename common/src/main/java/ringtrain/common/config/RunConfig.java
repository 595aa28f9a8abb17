package ringtrain.common.config;

import ringtrain.common.config.key.RunKeys;

/**
 * The {@code run.*} section: how the run is named and how often it reports.
 *
 * @param name shown in the plan, the Spark UI and summary.json
 * @param logEvery one metrics record every this many optimizer steps
 */
public record RunConfig(String name, int logEvery) {

  public static RunConfig from(ConfigReader r) {
    String name = RunKeys.NAME.read(r).trim();
    if (name.isEmpty()) {
      throw new ringtrain.common.error.ConfigException(
          "run.name is empty; give the run a name, e.g. --set run.name=fashion-mlp");
    }
    return new RunConfig(name, RunKeys.LOG_EVERY.read(r));
  }
}
