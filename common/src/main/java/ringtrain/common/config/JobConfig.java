package ringtrain.common.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The whole validated job: one immutable record per config section. Built once from the resolved
 * config; after that every value is trusted.
 *
 * @param rendered the resolved config as HOCON text, the form shipped to executors and saved in the
 *     run directory
 */
public record JobConfig(
    RunConfig run,
    DataConfig data,
    ModelConfig model,
    TrainConfig train,
    OptimConfig optim,
    ScheduleConfig schedule,
    PrecisionConfig precision,
    RematConfig remat,
    CommConfig comm,
    SnapshotConfig snapshot,
    GnsConfig gns,
    String rendered) {

  /**
   * Keys that change neither the data, nor the model, nor the arithmetic of training: a snapshot
   * written under one value can be resumed under another.
   */
  private static final List<String> HASH_EXCLUDED =
      List.of(
          "run",
          "snapshot",
          "cluster",
          "comm.timeout",
          "train.eval_every_epoch",
          "gns",
          "data.shard.encoding");

  /** Validates every section of a resolved config. */
  public static JobConfig from(Config resolved) {
    ConfigReader r = new ConfigReader(resolved);
    return new JobConfig(
        RunConfig.from(r),
        DataConfig.from(r),
        ModelConfig.from(r),
        TrainConfig.from(r),
        OptimConfig.from(r),
        ScheduleConfig.from(r),
        PrecisionConfig.from(r),
        RematConfig.from(r),
        CommConfig.from(r),
        SnapshotConfig.from(r),
        GnsConfig.from(r),
        resolved.root().render(ConfigRenderOptions.defaults().setOriginComments(false)));
  }

  /** Re-validates a config shipped as text (the executors' side). */
  public static JobConfig parse(String rendered) {
    return from(ConfigFactory.parseString(rendered).resolve());
  }

  /**
   * SHA-256 of everything that determines the trained parameters (see {@link #HASH_EXCLUDED}),
   * rendered with sorted keys so equal configs hash equally however they were written.
   */
  public String configHash() {
    Config config = ConfigFactory.parseString(rendered);
    for (String key : HASH_EXCLUDED) {
      config = config.withoutPath(key);
    }
    String canonical = config.root().render(ConfigRenderOptions.concise());
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java runtime", e);
    }
  }
}
