package ringtrain.worker.data;

import java.nio.file.Path;
import java.util.List;
import ringtrain.common.config.DataConfig;
import ringtrain.common.error.DataException;

/**
 * Loads the training and test sets a job asks for: reads IDX, CSV or synthetic data, checks the
 * labels, keeps the first {@code data.limit_*} examples, reshapes to {@code data.shape} and
 * normalizes with statistics of the (limited) training set.
 */
public final class DatasetLoader {
  private DatasetLoader() {}

  /**
   * @param seed {@code train.seed}; only synthetic data use it
   * @throws DataException when a file is missing, malformed or holds a bad label
   * @throws ringtrain.common.error.ConfigException when a key does not fit the data
   */
  public static TrainTest load(DataConfig cfg, long seed) {
    TrainTest raw =
        switch (cfg.format()) {
          case IDX -> readIdx(cfg);
          case CSV -> readCsv(cfg);
          case SYNTHETIC -> readSynthetic(cfg, seed);
          case SPARK ->
              throw new IllegalArgumentException(
                  "data.format = spark is read on the driver (ringtrain.driver.data)");
        };
    return prepare(cfg, raw);
  }

  /**
   * Keeps the first {@code data.limit_*} examples of data read elsewhere (a Spark source) and
   * normalizes them, exactly as {@link #load} does for files.
   */
  public static TrainTest prepare(DataConfig cfg, TrainTest raw) {
    TrainTest limited =
        new TrainTest(limit(raw.train(), cfg.limitTrain()), limit(raw.test(), cfg.limitTest()));
    return Normalization.apply(cfg.effectiveNormalize(), limited);
  }

  private static Dataset limit(Dataset ds, int limit) {
    return limit == 0 ? ds : ds.head(limit);
  }

  private static TrainTest readIdx(DataConfig cfg) {
    try (StagedFiles staged = new StagedFiles()) {
      Path dir = staged.idxDir(cfg.dir(), IDX_FILES);
      return new TrainTest(readIdxSplit(cfg, dir, "train"), readIdxSplit(cfg, dir, "t10k"));
    }
  }

  /** The four files of an IDX data set, each as it is or gzipped. */
  private static final List<String> IDX_FILES =
      List.of(
          "train-images-idx3-ubyte",
          "train-labels-idx1-ubyte",
          "t10k-images-idx3-ubyte",
          "t10k-labels-idx1-ubyte");

  private static Dataset readIdxSplit(DataConfig cfg, Path dir, String prefix) {
    Path imagesFile = IdxReader.locate(dir, prefix + "-images-idx3-ubyte");
    Path labelsFile = IdxReader.locate(dir, prefix + "-labels-idx1-ubyte");
    IdxReader.Images images = IdxReader.readImages(imagesFile);
    byte[] rawLabels = IdxReader.readLabels(labelsFile);
    if (rawLabels.length != images.count()) {
      throw new DataException(
          imagesFile
              + " holds "
              + images.count()
              + " images but "
              + labelsFile
              + " holds "
              + rawLabels.length
              + " labels; the two files must come from the same dataset");
    }
    int[] labels = new int[rawLabels.length];
    for (int i = 0; i < labels.length; i++) {
      int label = rawLabels[i] & 0xff;
      if (label >= cfg.numClasses()) {
        throw new DataException(
            labelsFile
                + ": label "
                + label
                + " of example "
                + i
                + " is outside [0, "
                + cfg.numClasses()
                + "); raise data.num_classes or fix the file");
      }
      labels[i] = label;
    }
    byte[] pixels = images.pixels();
    float[] features = new float[pixels.length];
    for (int i = 0; i < pixels.length; i++) {
      features[i] = pixels[i] & 0xff;
    }
    int hw = images.rows() * images.cols();
    DataConfig.checkShapeMatches(
        cfg.shape(), hw, imagesFile + " (" + images.rows() + "×" + images.cols() + " images)");
    int[] shape =
        cfg.shape().isEmpty() ? new int[] {1, images.rows(), images.cols()} : cfg.shapeOrNull();
    return new Dataset(features, labels, shape, cfg.numClasses());
  }

  private static TrainTest readSynthetic(DataConfig cfg, long seed) {
    TrainTest flat = SyntheticData.generate(cfg.synthetic(), cfg.numClasses(), seed);
    if (cfg.shape().isEmpty()) {
      return flat;
    }
    DataConfig.checkShapeMatches(
        cfg.shape(), cfg.synthetic().features(), "data.synthetic.features");
    int[] shape = cfg.shapeOrNull();
    return new TrainTest(flat.train().withShape(shape), flat.test().withShape(shape));
  }

  private static TrainTest readCsv(DataConfig cfg) {
    CsvReader.Table train;
    CsvReader.Table test;
    try (StagedFiles staged = new StagedFiles()) {
      train =
          CsvReader.read(
              staged.file("data.train", cfg.train()),
              "data.train",
              cfg.labelColumn(),
              cfg.numClasses());
      test =
          CsvReader.read(
              staged.file("data.test", cfg.test()),
              "data.test",
              cfg.labelColumn(),
              cfg.numClasses());
    }
    if (train.columns() != test.columns()) {
      throw new DataException(
          "data.train = "
              + cfg.train()
              + " has "
              + train.columns()
              + " columns but data.test = "
              + cfg.test()
              + " has "
              + test.columns()
              + "; both files must have the same columns");
    }
    int d = train.featureCount();
    List<Integer> shape = cfg.shape();
    DataConfig.checkShapeMatches(shape, d, "data.train = " + cfg.train());
    int[] dims = shape.isEmpty() ? new int[] {d} : cfg.shapeOrNull();
    return new TrainTest(
        new Dataset(train.features(), train.labels(), dims, cfg.numClasses()),
        new Dataset(test.features(), test.labels(), dims, cfg.numClasses()));
  }
}
