package ringtrain.worker.snapshot;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Snapshots on a real HDFS: one in-process MiniDFSCluster (a NameNode, a DataNode) per class. */
class HdfsSnapshotStoreTest extends RemoteSnapshotContract {
  private static MiniDFSCluster cluster;
  private static File base;

  @BeforeAll
  static void startHdfs() throws IOException {
    base = Files.createTempDirectory("ringtrain-minidfs").toFile();
    Configuration conf = new Configuration();
    cluster = new MiniDFSCluster.Builder(conf, base).numDataNodes(1).build();
    cluster.waitActive();
  }

  @AfterAll
  static void stopHdfs() {
    if (cluster != null) {
      cluster.shutdown(true);
    }
  }

  @Override
  String freshRoot() {
    return cluster.getURI().toString() + "/ckpt/" + uniqueName();
  }

  @Override
  Map<String, String> settings() {
    return Map.of();
  }

  @Override
  boolean expectsAtomicRename() {
    return true;
  }
}
