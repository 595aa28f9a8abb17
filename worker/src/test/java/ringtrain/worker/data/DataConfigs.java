package ringtrain.worker.data;

import java.nio.file.Path;
import java.util.List;
import ringtrain.common.config.DataConfig;
import ringtrain.common.config.DataConfig.Format;
import ringtrain.common.config.DataConfig.Normalize;

/** Data configs for tests, built directly so each test states only what it varies. */
final class DataConfigs {
  private DataConfigs() {}

  static DataConfig idx(Path dir, Normalize normalize) {
    return new DataConfig(
        Format.IDX, dir.toString(), "", "", 0, 10, false, normalize, List.of(), 0, 0, synthetic());
  }

  static DataConfig csv(Path train, Path test, int labelColumn, int numClasses, Normalize n) {
    return new DataConfig(
        Format.CSV,
        "",
        train.toString(),
        test.toString(),
        labelColumn,
        numClasses,
        false,
        n,
        List.of(),
        0,
        0,
        synthetic());
  }

  static DataConfig synthetic(DataConfig.Synthetic s, int numClasses) {
    return new DataConfig(
        Format.SYNTHETIC, "", "", "", 0, numClasses, true, Normalize.AUTO, List.of(), 0, 0, s);
  }

  static DataConfig.Synthetic synthetic() {
    return new DataConfig.Synthetic(8192, 2048, 64, 1.0);
  }

  static DataConfig withShape(DataConfig c, List<Integer> shape) {
    return new DataConfig(
        c.format(),
        c.dir(),
        c.train(),
        c.test(),
        c.labelColumn(),
        c.numClasses(),
        c.shuffle(),
        c.normalize(),
        shape,
        c.limitTrain(),
        c.limitTest(),
        c.synthetic());
  }

  static DataConfig withLimits(DataConfig c, int train, int test) {
    return new DataConfig(
        c.format(),
        c.dir(),
        c.train(),
        c.test(),
        c.labelColumn(),
        c.numClasses(),
        c.shuffle(),
        c.normalize(),
        c.shape(),
        train,
        test,
        c.synthetic());
  }
}
