package ringtrain.worker.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import ringtrain.common.config.DataConfig;
import ringtrain.common.config.DataConfig.Format;
import ringtrain.common.config.DataConfig.Normalize;
import ringtrain.common.config.key.DataKeys;
import ringtrain.common.config.key.Setting;

/**
 * Data configs for tests, from typed settings over the defaults, so each test states only what it
 * varies ({@code more}: e.g. {@code DataKeys.SHAPE.is(List.of(1, 3, 3))}).
 */
final class DataConfigs {
  private DataConfigs() {}

  static DataConfig idx(Path dir, Normalize normalize, Setting... more) {
    return of(
        more,
        DataKeys.FORMAT.is(Format.IDX),
        DataKeys.DIR.is(dir.toString()),
        DataKeys.SHUFFLE.is(false),
        DataKeys.NORMALIZE.is(normalize));
  }

  static DataConfig csv(
      Path train, Path test, int labelColumn, int numClasses, Normalize n, Setting... more) {
    return of(
        more,
        DataKeys.FORMAT.is(Format.CSV),
        DataKeys.TRAIN.is(train.toString()),
        DataKeys.TEST.is(test.toString()),
        DataKeys.LABEL_COLUMN.is(labelColumn),
        DataKeys.NUM_CLASSES.is(numClasses),
        DataKeys.SHUFFLE.is(false),
        DataKeys.NORMALIZE.is(n));
  }

  static DataConfig synthetic(DataConfig.Synthetic s, int numClasses, Setting... more) {
    return of(
        more,
        DataKeys.FORMAT.is(Format.SYNTHETIC),
        DataKeys.NUM_CLASSES.is(numClasses),
        DataKeys.SYNTHETIC_TRAIN_EXAMPLES.is(s.trainExamples()),
        DataKeys.SYNTHETIC_TEST_EXAMPLES.is(s.testExamples()),
        DataKeys.SYNTHETIC_FEATURES.is(s.features()),
        DataKeys.SYNTHETIC_NOISE.is(s.noise()));
  }

  /** {@code data.limit_train} and {@code data.limit_test}. */
  static Setting[] limits(int train, int test) {
    return new Setting[] {DataKeys.LIMIT_TRAIN.is(train), DataKeys.LIMIT_TEST.is(test)};
  }

  private static DataConfig of(Setting[] more, Setting... base) {
    List<Setting> all = new ArrayList<>(List.of(base));
    all.addAll(List.of(more));
    return DataConfig.of(all.toArray(Setting[]::new));
  }
}
