package ringtrain.driver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.apache.spark.SparkConf;
import org.apache.spark.deploy.master.Master$;
import org.apache.spark.rpc.RpcEnv;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import ringtrain.driver.run.RunDirectory;
import ringtrain.driver.run.TrainRun;

/**
 * The bad-input table: every row is one mistake a user can make on the command line, in the config,
 * the data, the run directory, a resume, an eval, a benchmark or the cluster settings. Each must
 * end with exit code 2 and exactly one line on stderr that names the key or file and says how to
 * fix it; where the row runs against an existing run, nothing in that run changes, byte for byte.
 * Every row runs in this JVM: the checks that need a cluster are made before one starts.
 */
class BadInputSuiteTest {
  @TempDir static Path shared;
  @TempDir Path tmp;

  /** A finished run (model.zip, snapshots) that rows needing an existing run start from. */
  private static Path finished;

  /** The small, fast configuration every row starts from; a row changes one thing. */
  private static final List<String> BASE =
      List.of(
          "--set=data.format=synthetic",
          "--set=data.synthetic.train_examples=256",
          "--set=data.synthetic.test_examples=64",
          "--set=data.synthetic.features=16",
          "--set=model.hidden=[8]",
          "--set=train.micro_batch=32",
          "--set=train.steps=4",
          "--set=train.eval_every_epoch=false",
          "--set=schedule.warmup_steps=1",
          "--set=snapshot.every=2");

  /** Words of a fix: what to do, or the range a value must lie in. */
  private static final Pattern FIX =
      Pattern.compile(
          "(?i).*\\b(set|use|pass|choose|give|remove|write|start|fix|restore|check|make|lower"
              + "|raise|wait|run|see|download|define|must|expected|add|leave|lies|is not supported|did you"
              + " mean)\\b.*");

  private enum Category {
    CONFIG,
    DATA,
    OUTPUTS,
    RESUME,
    EVAL,
    BENCH,
    CLUSTER
  }

  /**
   * One row.
   *
   * @param args the command line, built from the row's temporary directory
   * @param existingRun whether {@code --out} holds a finished run before the command
   * @param fragments what the line must contain (the key or file, and words of the fix)
   */
  private record Case(
      Category category,
      String name,
      Function<Dirs, List<String>> args,
      boolean existingRun,
      String... fragments) {}

  /** Where a row writes: its own temporary directory and run directory. */
  private record Dirs(Path tmp, Path out) {
    Path file(String name) {
      return tmp.resolve(name);
    }
  }

  @BeforeAll
  static void trainOnce() {
    finished = shared.resolve("finished");
    new TrainRun(null, overrides(List.of()), finished, false).execute();
  }

  private static List<String> overrides(List<String> more) {
    List<String> sets = new ArrayList<>();
    for (String a : BASE) {
      sets.add(a.substring("--set=".length()));
    }
    sets.addAll(more);
    return sets;
  }

  // ---- how rows are written ----

  private static Case config(String name, String set, String... fragments) {
    return new Case(Category.CONFIG, name, d -> train(d, "--set", set), false, fragments);
  }

  private static Case category(
      Category c, String name, Function<Dirs, List<String>> args, String... fragments) {
    return new Case(c, name, args, false, fragments);
  }

  private static Case onExistingRun(
      Category c, String name, Function<Dirs, List<String>> args, String... fragments) {
    return new Case(c, name, args, true, fragments);
  }

  private static List<String> train(Dirs d, String... more) {
    List<String> all = new ArrayList<>(List.of("train", "--out", d.out().toString()));
    all.addAll(BASE);
    all.addAll(Arrays.asList(more));
    return all;
  }

  private static List<String> eval(Dirs d, String... more) {
    List<String> all =
        new ArrayList<>(List.of("eval", "--model", finished.resolve("model.zip").toString()));
    all.addAll(BASE);
    all.addAll(Arrays.asList(more));
    return all;
  }

  private static Path write(Path file, String text) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, text);
      return file;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<String> csv(Dirs d, String trainText, String... more) {
    Path csv = write(d.file("train.csv"), trainText);
    List<String> all =
        new ArrayList<>(
            train(
                d,
                "--set",
                "data.format=csv",
                "--set",
                "data.train=" + csv,
                "--set",
                "data.test=" + csv,
                "--set",
                "train.micro_batch=1",
                "--set",
                "data.num_classes=3"));
    all.addAll(Arrays.asList(more));
    return all;
  }

  /**
   * A CSV source with a header read by {@code spark.read} on {@code local[2]}: two ranks, placement
   * shard (the default for a Spark source on Spark).
   */
  private static List<String> sparkCsv(Dirs d, String text, String... more) {
    Path csv = write(d.file("shard.csv"), text);
    List<String> all =
        new ArrayList<>(
            train(
                d,
                "--set",
                "data.format=spark",
                "--set",
                "data.spark.format=csv",
                "--set",
                "data.spark.options=[\"header=true\", \"inferSchema=true\"]",
                "--set",
                "data.path=\"" + csv + "\"",
                "--set",
                "data.test_path=\"" + csv + "\"",
                "--set",
                "data.features=[a, b]",
                "--set",
                "data.num_classes=3",
                "--set",
                "cluster.master=\"local[2]\"",
                "--set",
                "train.world_size=2"));
    all.addAll(Arrays.asList(more));
    return all;
  }

  private static List<String> idx(Dirs d, byte[] trainImages) {
    try {
      Path dir = Files.createDirectories(d.file("idx"));
      for (String split : List.of("train", "t10k")) {
        byte[] images = new byte[16 + 2 * 28 * 28];
        System.arraycopy(
            new byte[] {0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 28, 0, 0, 0, 28}, 0, images, 0, 16);
        writeGz(dir.resolve(split + "-images-idx3-ubyte.gz"), images);
        writeGz(
            dir.resolve(split + "-labels-idx1-ubyte.gz"),
            new byte[] {0, 0, 8, 1, 0, 0, 0, 2, 3, 7});
      }
      writeGz(dir.resolve("train-images-idx3-ubyte.gz"), trainImages);
      return train(d, "--set", "data.format=idx", "--set", "data.dir=" + dir);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void writeGz(Path file, byte[] bytes) throws IOException {
    try (OutputStream os = new GZIPOutputStream(Files.newOutputStream(file))) {
      os.write(bytes);
    }
  }

  // ---- the table ----

  private static List<Case> cases() {
    List<Case> t = new ArrayList<>();
    // config: keys, types, ranges, the schedule, the model against the data
    t.add(config("unknown key", "optim.lrr=0.1", "optim.lrr", "did you mean optim.lr"));
    t.add(config("wrong type", "optim.lr=fast", "optim.lr", "number"));
    t.add(config("fractional count", "train.micro_batch=2.5", "train.micro_batch", "whole"));
    t.add(config("negative lr", "optim.lr=-0.1", "optim.lr", ">= 0"));
    t.add(config("lr 1e308", "optim.lr=1e308", "optim.lr", "0.001"));
    t.add(config("beta1 of one", "optim.beta1=1.0", "optim.beta1", "< 1"));
    t.add(config("negative beta2", "optim.beta2=-0.1", "optim.beta2"));
    t.add(config("zero eps", "optim.eps=0", "optim.eps", "> 0"));
    t.add(config("unknown optimizer", "optim.name=adamax", "optim.name", "adamw"));
    t.add(config("unknown scaling", "optim.scaling=cubic", "optim.scaling", "linear"));
    t.add(config("negative weight decay", "optim.weight_decay=-1", "optim.weight_decay"));
    t.add(config("momentum above one", "optim.momentum=1.5", "optim.momentum"));
    t.add(config("negative clip norm", "optim.clip_norm=-1", "optim.clip_norm"));
    t.add(config("clip value not a number", "optim.clip_value=big", "optim.clip_value"));
    t.add(config("nesterov not a boolean", "optim.nesterov=maybe", "optim.nesterov", "true"));
    t.add(config("zero base batch", "optim.base_batch=0", "optim.base_batch", ">= 1"));
    t.add(config("zero trust coefficient", "optim.trust_coefficient=0", "optim.trust"));
    t.add(config("zero world size", "train.world_size=0", "train.world_size", ">= 1"));
    t.add(config("zero micro batch", "train.micro_batch=0", "train.micro_batch", ">= 1"));
    t.add(config("zero accumulation", "train.accumulation=0", "train.accumulation", ">= 1"));
    t.add(config("negative steps", "train.steps=-5", "train.steps", ">= 0"));
    t.add(config("seed not a number", "train.seed=abc", "train.seed", "integer"));
    t.add(
        category(
            Category.CONFIG,
            "no length of training",
            d -> train(d, "--set", "train.epochs=0", "--set", "train.steps=0"),
            "train.epochs",
            "train.steps"));
    t.add(config("unknown schedule", "schedule.name=linear", "schedule.name", "warmup_cosine"));
    t.add(config("negative warmup", "schedule.warmup_steps=-1", "schedule.warmup_steps"));
    t.add(config("negative min_lr", "schedule.min_lr=-0.1", "schedule.min_lr"));
    t.add(config("min_lr above lr", "schedule.min_lr=0.5", "schedule.min_lr", "optim.lr"));
    t.add(config("warmup longer than the run", "schedule.warmup_steps=1000", "warmup_steps", "4"));
    t.add(config("zero gamma", "schedule.gamma=0", "schedule.gamma", "> 0"));
    t.add(config("pct_start of one", "schedule.pct_start=1", "schedule.pct_start", "< 1"));
    t.add(config("decay fraction two", "schedule.decay_fraction=2", "schedule.decay_fraction"));
    t.add(config("zero step size", "schedule.step_size=0", "schedule.step_size", ">= 1"));
    t.add(config("unknown compute precision", "precision.compute=fp8", "precision.compute"));
    t.add(config("unknown comm precision", "precision.comm=int8", "precision.comm", "bf16"));
    t.add(
        config(
            "loss scale not a power of two",
            "precision.loss_scale.init=1000",
            "precision.loss_scale.init",
            "power of two"));
    t.add(config("unknown precision mode", "precision.mode=fast", "precision.mode", "native"));
    t.add(config("remat not a number", "remat.segments=many", "remat.segments"));
    t.add(config("zero comm timeout", "comm.timeout=0s", "comm.timeout", "> 0"));
    t.add(config("comm timeout not a duration", "comm.timeout=soon", "comm.timeout", "60s"));
    t.add(config("zero bucket", "comm.bucket_mb=0", "comm.bucket_mb", ">= 1"));
    t.add(config("small mtu", "comm.aeron.mtu=1000", "comm.aeron.mtu", "multiple of 32"));
    t.add(
        config(
            "socket buffer overflow",
            "comm.aeron.socket_buffer_kb=3000000",
            "comm.aeron.socket_buffer_kb",
            "<= "));
    t.add(
        config(
            "term length overflow",
            "comm.aeron.term_length_kb=4194304",
            "comm.aeron.term_length_kb",
            "<= "));
    t.add(
        config(
            "term length not a power of two",
            "comm.aeron.term_length_kb=100",
            "comm.aeron.term_length_kb",
            "power of two"));
    t.add(config("unknown transport", "comm.aeron.transport=tcp", "comm.aeron.transport", "udp"));
    t.add(config("unknown threading", "comm.aeron.threading=many", "comm.aeron.threading"));
    t.add(config("unknown idle strategy", "comm.aeron.idle=sleepy", "comm.aeron.idle"));
    t.add(
        config(
            "unresolvable bind host",
            "comm.aeron.bind_host=no-such-host.invalid",
            "comm.aeron.bind_host",
            "auto"));
    t.add(config("unknown model", "model.type=transformer", "model.type", "mlp"));
    t.add(config("zero width", "model.hidden=[0]", "model.hidden", ">= 1"));
    t.add(
        config("model larger than memory", "model.hidden=[1000000000]", "model.hidden", "smaller"));
    t.add(
        category(
            Category.CONFIG,
            "deep model larger than memory",
            d -> train(d, "--set", "model.type=deep_mlp", "--set", "model.width=2000000000"),
            "model.width",
            "smaller"));
    t.add(config("unknown activation", "model.activation=swishy", "model.activation", "relu"));
    t.add(config("dropout of one", "model.dropout=1.0", "model.dropout", "< 1.0"));
    t.add(config("cnn on flat data", "model.type=cnn", "data.shape", "mlp"));
    t.add(
        category(
            Category.CONFIG,
            "too many pooling blocks",
            d ->
                train(
                    d,
                    "--set",
                    "model.type=cnn",
                    "--set",
                    "data.shape=[1,4,4]",
                    "--set",
                    "model.cnn.channels=[2,2,2,2]"),
            "model.cnn.channels",
            "fewer"));
    t.add(
        category(
            Category.CONFIG,
            "cnn without channels",
            d ->
                train(
                    d,
                    "--set",
                    "model.type=cnn",
                    "--set",
                    "data.shape=[1,4,4]",
                    "--set",
                    "model.cnn.channels=[]"),
            "model.cnn.channels",
            "at least one"));
    t.add(config("zero kernel", "model.cnn.kernel=0", "model.cnn.kernel", ">= 1"));
    t.add(config("empty run name", "run.name=\"\"", "run.name", "run.name="));
    t.add(config("zero log interval", "run.log_every=0", "run.log_every", ">= 1"));
    t.add(config("negative snapshot interval", "snapshot.every=-1", "snapshot.every", ">= 0"));
    t.add(config("keep no snapshot", "snapshot.keep=0", "snapshot.keep", ">= 1"));
    t.add(
        config(
            "hdfs snapshot dir", "snapshot.dir=\"hdfs://nn:8020/ckpt\"", "snapshot.dir", "hdfs:"));
    t.add(
        category(
            Category.CONFIG,
            "snapshot dir is a file",
            d -> train(d, "--set", "snapshot.dir=" + write(d.file("ckpt"), "x")),
            "snapshot.dir",
            "directory"));
    t.add(
        category(
            Category.CONFIG,
            "snapshot dir under a file",
            d -> train(d, "--set", "snapshot.dir=" + write(d.file("f"), "x").resolve("ckpt")),
            "snapshot.dir",
            "which is a file"));
    t.add(
        category(
            Category.CONFIG,
            "override without equals",
            d -> train(d, "--set", "optim.lr"),
            "key=value"));
    t.add(
        category(Category.CONFIG, "override of no key", d -> train(d, "--set", "=3"), "key=value"));
    t.add(
        category(
            Category.CONFIG,
            "missing job file",
            d -> train(d, "--conf", d.file("nope.conf").toString()),
            "nope.conf",
            "--conf"));
    t.add(
        category(
            Category.CONFIG,
            "invalid HOCON",
            d -> train(d, "--conf", write(d.file("bad.conf"), "optim { lr = 0.1\n").toString()),
            "bad.conf",
            "HOCON"));
    t.add(
        category(
            Category.CONFIG,
            "unknown key in the job file",
            d -> train(d, "--conf", write(d.file("j.conf"), "trian.steps = 3\n").toString()),
            "trian.steps",
            "reference.conf"));
    t.add(
        category(
            Category.CONFIG,
            "unresolvable substitution",
            d -> train(d, "--conf", write(d.file("s.conf"), "optim.lr = ${nope}\n").toString()),
            "nope"));
    t.add(category(Category.CONFIG, "unknown option", d -> List.of("train", "--lr", "1"), "--lr"));
    t.add(
        category(
            Category.CONFIG, "no command", d -> List.of(), "train, eval, sweep, data or bench"));
    t.add(category(Category.CONFIG, "unknown command", d -> List.of("fit"), "fit"));

    // data
    t.add(
        category(
            Category.DATA,
            "unknown format",
            d -> train(d, "--set", "data.format=parquet"),
            "data.format",
            "csv"));
    t.add(
        category(
            Category.DATA,
            "shard of idx data on Spark",
            d ->
                train(
                    d,
                    "--set",
                    "data.placement=shard",
                    "--set",
                    "cluster.master=\"local[2]\"",
                    "--set",
                    "train.world_size=2"),
            "data.placement = shard",
            "ringtrain data export"));
    t.add(
        category(
            Category.DATA,
            "shard with standard normalization",
            d -> sparkCsv(d, "a,b,label\n1,2,0\n", "--set", "data.normalize=standard"),
            "data.normalize = standard",
            "data.placement = replicate"));
    t.add(
        category(
            Category.DATA,
            "too few examples for the shards",
            d -> sparkCsv(d, "a,b,label\n1,2,0\n3,4,1\n5,6,2\n"),
            "train.micro_batch",
            "3 training examples"));
    t.add(
        category(
            Category.DATA,
            "shard label out of range found by a task",
            d -> sparkCsv(d, "a,b,label\n1,2,0\n3,4,7\n5,6,2\n", "--set", "train.micro_batch=1"),
            "data.label column 'label' holds 7 in row 1",
            "data.num_classes"));
    t.add(
        category(
            Category.DATA,
            "missing idx directory",
            d -> train(d, "--set", "data.format=idx", "--set", "data.dir=" + d.file("none")),
            "none"));
    t.add(
        category(
            Category.DATA,
            "empty idx directory key",
            d -> train(d, "--set", "data.format=idx", "--set", "data.dir=\"\""),
            "data.dir"));
    t.add(
        category(
            Category.DATA,
            "idx with wrong magic",
            d -> {
              byte[] images = new byte[16 + 2 * 28 * 28];
              System.arraycopy(
                  new byte[] {0, 0, 8, 4, 0, 0, 0, 2, 0, 0, 0, 28, 0, 0, 0, 28}, 0, images, 0, 16);
              return idx(d, images);
            },
            "magic"));
    t.add(
        category(
            Category.DATA,
            "truncated idx",
            d -> idx(d, new byte[] {0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 28, 0, 0, 0, 28, 1, 2}),
            "truncated"));
    t.add(
        category(
            Category.DATA,
            "csv keys with idx",
            d ->
                train(
                    d,
                    "--set",
                    "data.format=idx",
                    "--set",
                    "data.train=" + write(d.file("t.csv"), "0,1\n")),
            "data.train",
            "data.format = csv"));
    t.add(
        category(
            Category.DATA,
            "csv label out of range",
            d -> csv(d, "0,1,2\n3,4,5\n"),
            "label",
            "train.csv"));
    t.add(category(Category.DATA, "ragged csv", d -> csv(d, "0,1,2\n1,4\n"), "train.csv:2"));
    t.add(category(Category.DATA, "csv not a number", d -> csv(d, "0,1,x\n1,4,5\n"), "train.csv"));
    t.add(
        category(
            Category.DATA,
            "missing csv file",
            d ->
                train(
                    d,
                    "--set",
                    "data.format=csv",
                    "--set",
                    "data.train=" + d.file("no.csv"),
                    "--set",
                    "data.test=" + d.file("no.csv")),
            "no.csv"));
    t.add(
        category(
            Category.DATA,
            "csv without training file",
            d -> train(d, "--set", "data.format=csv", "--set", "data.train=\"\""),
            "data.train",
            "csv"));
    t.add(
        category(
            Category.DATA,
            "shape of two sizes",
            d -> train(d, "--set", "data.shape=[1,2]"),
            "data.shape",
            "[channels, height, width]"));
    t.add(
        category(
            Category.DATA,
            "shape against features",
            d -> train(d, "--set", "data.shape=[1,5,5]"),
            "data.shape",
            "data.synthetic.features"));
    t.add(
        category(
            Category.DATA,
            "one class",
            d -> train(d, "--set", "data.num_classes=1"),
            "data.num_classes",
            ">= 2"));
    t.add(
        category(
            Category.DATA,
            "batch larger than the training set",
            d -> train(d, "--set", "train.micro_batch=512"),
            "train.micro_batch"));
    t.add(
        category(
            Category.DATA,
            "unknown normalization",
            d -> train(d, "--set", "data.normalize=zscore"),
            "data.normalize",
            "standard"));
    t.add(
        category(
            Category.DATA,
            "negative limit",
            d -> train(d, "--set", "data.limit_train=-1"),
            "data.limit_train",
            ">= 0"));
    t.add(
        category(
            Category.DATA,
            "negative label column",
            d -> train(d, "--set", "data.label_column=-1"),
            "data.label_column",
            ">= 0"));

    // outputs
    t.add(
        category(
            Category.OUTPUTS,
            "out is a file",
            d -> {
              write(d.out(), "not a directory");
              return train(d);
            },
            "--out",
            "is a file"));
    t.add(
        category(
            Category.OUTPUTS,
            "out under a file",
            d -> {
              Path file = write(d.file("plain"), "x");
              return List.of("train", "--out", file.resolve("run").toString(), BASE.get(0));
            },
            "--out",
            "choose"));
    t.add(
        onExistingRun(
            Category.OUTPUTS, "out holds a run", d -> train(d), "already holds a run", "--resume"));
    t.add(
        onExistingRun(
            Category.OUTPUTS,
            "bad key against an existing run",
            d -> train(d, "--set", "optim.lrr=1"),
            "optim.lrr"));
    t.add(
        onExistingRun(
            Category.OUTPUTS,
            "model too large against an existing run",
            d -> train(d, "--set", "model.hidden=[1000000000]"),
            "model.hidden"));

    // resume
    t.add(
        category(
            Category.RESUME,
            "resume of no directory",
            d -> train(d, "--resume"),
            "--resume",
            "does not exist"));
    t.add(
        category(
            Category.RESUME,
            "resume without a snapshot",
            d -> {
              write(d.out().resolve("config.conf"), "x");
              return train(d, "--resume");
            },
            "no valid snapshot"));
    t.add(
        onExistingRun(
            Category.RESUME,
            "resume with another config",
            d -> train(d, "--resume", "--set", "optim.lr=0.5"),
            "different config",
            "snapshot.allow_config_change"));
    t.add(
        onExistingRun(
            Category.RESUME,
            "resume with a bad key",
            d -> train(d, "--resume", "--set", "optim.nme=sgd"),
            "optim.nme"));
    t.add(
        onExistingRun(
            Category.RESUME,
            "resume with min_lr above lr",
            d -> train(d, "--resume", "--set", "schedule.min_lr=0.5"),
            "schedule.min_lr"));
    t.add(
        onExistingRun(
            Category.RESUME,
            "resume with another snapshot dir",
            d -> train(d, "--resume", "--set", "snapshot.dir=" + d.file("elsewhere")),
            "no valid snapshot"));

    // eval
    t.add(
        category(
            Category.EVAL,
            "missing model",
            d -> List.of("eval", "--model", d.file("model.zip").toString(), BASE.get(0)),
            "model.zip"));
    t.add(
        category(
            Category.EVAL,
            "model not a zip",
            d -> List.of("eval", "--model", write(d.file("m.zip"), "junk").toString(), BASE.get(0)),
            "m.zip",
            "model.zip"));
    t.add(
        category(
            Category.EVAL,
            "other number of classes",
            d -> eval(d, "--set", "data.num_classes=5"),
            "classes"));
    t.add(
        category(
            Category.EVAL,
            "other input size",
            d -> eval(d, "--set", "data.synthetic.features=32"),
            "features",
            "--conf"));
    t.add(
        category(
            Category.EVAL,
            "images of another size for a dense model",
            d ->
                eval(
                    d,
                    "--set",
                    "data.synthetic.features=36",
                    "--set",
                    "data.shape=[1,6,6]",
                    "--set",
                    "model.type=cnn"),
            "--model",
            "36 features"));
    t.add(category(Category.EVAL, "eval bad key", d -> eval(d, "--set", "dta.dir=x"), "dta.dir"));
    t.add(category(Category.EVAL, "eval without model", d -> List.of("eval"), "--model"));

    // bench
    t.add(category(Category.BENCH, "unknown benchmark", d -> List.of("bench", "nosuch"), "nosuch"));
    t.add(category(Category.BENCH, "bench without a name", d -> List.of("bench"), "NAME"));

    // cluster
    t.add(
        category(
            Category.CLUSTER,
            "local[1] for two ranks",
            d -> train(d, "--set", "cluster.master=\"local[1]\"", "--set", "train.world_size=2"),
            "cluster.master",
            "local[2]"));
    t.add(
        category(
            Category.CLUSTER,
            "local for two ranks",
            d -> train(d, "--set", "cluster.master=local", "--set", "train.world_size=2"),
            "cluster.master",
            "train.world_size"));
    t.add(
        category(
            Category.CLUSTER,
            "too few local-cluster executors",
            d ->
                train(
                    d,
                    "--set",
                    "cluster.master=\"local-cluster[1,1,1024]\"",
                    "--set",
                    "train.world_size=2"),
            "cluster.master",
            "local-cluster[2"));
    t.add(
        category(
            Category.CLUSTER,
            "malformed local-cluster",
            d -> train(d, "--set", "cluster.master=\"local-cluster[2]\""),
            "cluster.master",
            "local-cluster[EXECUTORS,CORES,MEMORY_MB]"));
    t.add(
        category(
            Category.CLUSTER,
            "unreachable master",
            d ->
                train(
                    d,
                    "--set",
                    "cluster.master=\"spark://127.0.0.1:1\"",
                    "--set",
                    "cluster.register_timeout=5s"),
            "spark://127.0.0.1:1",
            "cannot reach"));
    t.add(
        category(
            Category.CLUSTER,
            "a master without workers",
            d ->
                train(
                    d,
                    "--set",
                    "cluster.master=\"" + StandaloneMaster.url() + "\"",
                    "--set",
                    "cluster.register_timeout=3s"),
            "0 Spark executors registered",
            "cluster.register_timeout"));
    t.add(
        category(
            Category.CLUSTER,
            "zero register timeout",
            d -> train(d, "--set", "cluster.register_timeout=0s"),
            "cluster.register_timeout",
            "> 0"));
    t.add(
        category(
            Category.CLUSTER,
            "zero attempts",
            d -> train(d, "--set", "cluster.max_attempts=0"),
            "cluster.max_attempts",
            ">= 1"));
    t.add(
        category(
            Category.CLUSTER,
            "bind host of another machine",
            d ->
                train(
                    d,
                    "--set",
                    "cluster.master=\"local-cluster[1,1,1024]\"",
                    "--set",
                    "comm.aeron.bind_host=192.0.2.1"),
            "comm.aeron.bind_host",
            "127.0.0.1"));
    t.add(
        category(
            Category.CLUSTER,
            "executor memory too small for the model",
            d ->
                train(
                    d,
                    "--set",
                    "cluster.master=\"local-cluster[1,1,16]\"",
                    "--set",
                    "model.hidden=[100000]"),
            "model.hidden",
            "executor"));
    return t;
  }

  @TestFactory
  Stream<DynamicTest> everyBadInputEndsWithOneLineAndExitCodeTwo() {
    return cases().stream()
        .map(c -> DynamicTest.dynamicTest(c.category() + ": " + c.name(), () -> check(c)));
  }

  @Test
  void shouldHoldAtLeastEightyCasesAcrossEveryCategory() {
    Map<Category, Integer> counts = new TreeMap<>();
    for (Case c : cases()) {
      counts.merge(c.category(), 1, Integer::sum);
    }
    System.out.println("bad-input cases per category: " + counts + ", total " + cases().size());
    assertThat(cases()).hasSizeGreaterThanOrEqualTo(80);
    assertThat(counts.keySet()).containsExactlyInAnyOrder(Category.values());
  }

  private void check(Case c) throws IOException {
    Path caseDir = Files.createTempDirectory(tmp, "case");
    Dirs d = new Dirs(caseDir, caseDir.resolve("run"));
    Map<String, byte[]> before = Map.of();
    if (c.existingRun()) {
      copyTree(finished, d.out());
      before = contents(d.out());
    }
    List<String> args = c.args().apply(d);
    // What a row prepared in --out itself (a file in its place, a run it holds) must stay as it is.
    Map<String, byte[]> prepared =
        c.existingRun() || !Files.exists(d.out()) ? null : contents(d.out());
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintWriter err = new PrintWriter(bytes, true, StandardCharsets.UTF_8);
    int code = Main.run(err, args.toArray(String[]::new));
    String stderr = bytes.toString(StandardCharsets.UTF_8);

    assertThat(code).as("exit code of %s; stderr: %s", args, stderr).isEqualTo(2);
    assertThat(stderr.strip().lines().count()).as("stderr lines: %s", stderr).isEqualTo(1);
    assertThat(stderr).doesNotContain("Exception").doesNotContain("\tat ");
    for (String f : c.fragments()) {
      assertThat(stderr).as("the line names %s", f).contains(f);
    }
    assertThat(stderr.strip()).as("the line says how to fix it").matches(FIX);
    if (c.existingRun()) {
      assertThat(contents(d.out())).as("the existing run is untouched").isEqualTo(before);
    } else if (prepared != null) {
      assertThat(withoutLock(contents(d.out())))
          .as("what --out held is untouched")
          .isEqualTo(prepared);
    } else if (Files.exists(d.out())) {
      // The corrected command then finds the directory as unused as before.
      assertThat(withoutLock(contents(d.out())))
          .as("a refused run writes nothing into --out")
          .isEmpty();
    }
  }

  /**
   * {@code files} without the run directory's lock file: a refused {@code --resume} takes the lock
   * before it reads the snapshots, and the file only names the last holder.
   */
  private static Map<String, byte[]> withoutLock(Map<String, byte[]> files) {
    files.remove(RunDirectory.LOCK_FILE);
    return files;
  }

  /** Every file under {@code root}, by relative path, with its bytes. */
  private static Map<String, byte[]> contents(Path root) throws IOException {
    ComparableContents files = new ComparableContents();
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.filter(Files::isRegularFile).toList()) {
        files.put(root.relativize(p).toString(), Files.readAllBytes(p));
      }
    }
    return files;
  }

  /** A map of file contents whose equality compares the bytes. */
  private static final class ComparableContents extends TreeMap<String, byte[]> {
    private static final long serialVersionUID = 1L;

    @Override
    public boolean equals(Object o) {
      if (!(o instanceof Map<?, ?> other) || other.size() != size()) {
        return false;
      }
      for (Map.Entry<String, byte[]> e : entrySet()) {
        if (!(other.get(e.getKey()) instanceof byte[] b) || !Arrays.equals(b, e.getValue())) {
          return false;
        }
      }
      return true;
    }

    @Override
    public int hashCode() {
      return keySet().hashCode();
    }

    @Override
    public String toString() {
      StringBuilder s = new StringBuilder("{");
      forEach((k, v) -> s.append(k).append(": ").append(v.length).append(" bytes, "));
      return s.append('}').toString();
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> walk = Files.walk(from)) {
      for (Path p : walk.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }

  /**
   * A real standalone Spark master in this JVM with no worker: an application registers, no
   * executor ever comes.
   */
  private static final class StandaloneMaster {
    private static RpcEnv env;

    static synchronized String url() {
      if (env == null) {
        env = Master$.MODULE$.startRpcEnvAndEndpoint("127.0.0.1", 0, 0, new SparkConf(false))._1();
      }
      return "spark://127.0.0.1:" + env.address().port();
    }

    static synchronized void stop() {
      if (env != null) {
        env.shutdown();
        env = null;
      }
    }
  }

  @AfterAll
  static void stopMaster() {
    StandaloneMaster.stop();
  }

  @Test
  void shouldRefuseASecondRunOnADirectoryInUseAndLeaveTheFirstIntact() throws IOException {
    Path out = tmp.resolve("held");
    try (RunDirectory first = RunDirectory.open(out, false)) {
      Files.writeString(out.resolve("config.conf"), "first");
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      PrintWriter err = new PrintWriter(bytes, true, StandardCharsets.UTF_8);
      List<String> args = new ArrayList<>(List.of("train", "--out", out.toString()));
      args.addAll(BASE);
      int code = Main.run(err, args.toArray(String[]::new));
      String stderr = bytes.toString(StandardCharsets.UTF_8);
      assertThat(code).as(stderr).isEqualTo(2);
      assertThat(stderr.strip().lines().count()).isEqualTo(1);
      assertThat(stderr)
          .contains("in use by another ringtrain run")
          .contains("pid " + ProcessHandle.current().pid());
      assertThat(Files.readString(out.resolve("config.conf"))).isEqualTo("first");
    }
  }
}
