package ringtrain.worker.snapshot;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.util.Map;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Snapshots on S3 through {@code s3a://}: a real S3 endpoint (s3proxy on an in-memory blob store)
 * in this JVM, one per class. S3 has no atomic rename, so the MANIFEST is the commit.
 */
class S3SnapshotStoreTest extends RemoteSnapshotContract {
  private static final String BUCKET = "ringtrain";
  private static final String ACCESS = "ringtrain-access";
  private static final String SECRET = "ringtrain-secret";

  private static S3Proxy proxy;
  private static BlobStoreContext blobs;

  @BeforeAll
  static void startS3() throws Exception {
    // The in-memory blob store: the file-system one maps S3's directory-marker objects onto real
    // directories and retries for seconds on every marker delete that s3a issues.
    blobs =
        ContextBuilder.newBuilder("transient")
            .credentials("identity", "credential")
            .build(BlobStoreContext.class);
    blobs.getBlobStore().createContainerInLocation(null, BUCKET);
    proxy =
        S3Proxy.builder()
            .blobStore(blobs.getBlobStore())
            .endpoint(URI.create("http://127.0.0.1:0"))
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS, SECRET)
            .build();
    proxy.start();
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (!"STARTED".equals(proxy.getState())) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("s3proxy did not start in 30 s: " + proxy.getState());
      }
      Thread.sleep(10);
    }
  }

  @AfterAll
  static void stopS3() throws Exception {
    if (proxy != null) {
      proxy.stop();
    }
    if (blobs != null) {
      blobs.close();
    }
  }

  @Override
  String freshRoot() {
    return "s3a://" + BUCKET + "/ckpt/" + uniqueName();
  }

  @Override
  Map<String, String> settings() {
    return Map.ofEntries(
        Map.entry("fs.s3a.endpoint", "http://127.0.0.1:" + proxy.getPort()),
        Map.entry("fs.s3a.endpoint.region", "us-east-1"),
        Map.entry("fs.s3a.path.style.access", "true"),
        Map.entry("fs.s3a.connection.ssl.enabled", "false"),
        Map.entry(
            "fs.s3a.aws.credentials.provider",
            "org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider"),
        Map.entry("fs.s3a.access.key", ACCESS),
        Map.entry("fs.s3a.secret.key", SECRET),
        Map.entry("fs.s3a.attempts.maximum", "1"),
        Map.entry("fs.s3a.retry.limit", "1"));
  }

  @Override
  boolean expectsAtomicRename() {
    return false;
  }

  @Test
  void shouldSkipAPartlyWrittenNewerSnapshotOnResume() throws IOException {
    String root = freshRoot();
    SnapshotStore store = store(root, 3);
    store.write(state(100, values(1, 64), values(2, 64), 1.0));
    // A writer killed in the middle of step 200: some files uploaded, the MANIFEST never.
    try (OutputStream out =
        fs(root).create(new org.apache.hadoop.fs.Path(root + "/step-00000200/params.npy"))) {
      out.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'});
    }

    assertThat(names(root)).containsExactlyInAnyOrder("step-00000100", "step-00000200");
    assertThat(store(root, 3).latestValid().orElseThrow().step()).isEqualTo(100);
    assertThat(store.validSnapshotNames()).containsExactly("step-00000100");
  }
}
