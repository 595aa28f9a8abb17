package ringtrain.driver.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import ringtrain.common.error.ConfigException;
import ringtrain.worker.comm.CommException;
import ringtrain.worker.comm.CommSettingException;

/** How a rank's exception becomes the typed failure the driver acts on. */
class RankFailureTest {

  @Test
  void shouldKeepAUserMistakeAUserErrorHoweverDeepItIsWrapped() {
    RuntimeException wrapped =
        new CompletionException(
            new IllegalStateException("bucket thread", new ConfigException("optim.lr = x; fix")));
    RankFailure f = RankTask.classify(wrapped, 1, "h1", 0, List.of("a line"));
    assertThat(f.kind()).isEqualTo(RankFailure.Kind.USER);
    assertThat(f.retryable()).isFalse();
    assertThat(f.line()).isEqualTo("rank 1 on host h1: optim.lr = x; fix");
  }

  @Test
  void shouldReportARingFailureByItsMessageAndAnyOtherByItsType() {
    RankFailure comm =
        RankTask.classify(
            new CommException("rank 0 (host a:1) sent nothing for PT10S during step 9"),
            1,
            "h1",
            2,
            List.of());
    assertThat(comm.kind()).isEqualTo(RankFailure.Kind.INFRASTRUCTURE);
    assertThat(comm.retryable()).isTrue();
    assertThat(comm.atStep(40).line())
        .isEqualTo(
            "rank 1 on host h1 failed (stage attempt 2): rank 0 (host a:1) sent nothing for PT10S"
                + " during step 9 (last logged step 40)");
    RankFailure other =
        RankTask.classify(new IllegalStateException("two\nlines"), 0, "h0", 0, List.of());
    assertThat(other.line()).endsWith("): IllegalStateException: two; lines");
  }

  @Test
  void shouldTreatARingSettingTheUserMustChangeAsAUserError() {
    // The ring thread's failure reaches the training loop wrapped in another CommException.
    RuntimeException wrapped =
        new CommException(
            "rank 1: step 0",
            new CommSettingException(
                "cannot create the Aeron directory root /x/ringtrain-aeron (Not a directory); set"
                    + " comm.aeron.dir to a writable directory of this host"));
    RankFailure f = RankTask.classify(wrapped, 1, "h1", 0, List.of());
    assertThat(f.kind()).isEqualTo(RankFailure.Kind.USER);
    assertThat(f.retryable()).isFalse();
    assertThat(f.line())
        .isEqualTo(
            "rank 1 on host h1: cannot create the Aeron directory root /x/ringtrain-aeron (Not a"
                + " directory); set comm.aeron.dir to a writable directory of this host");
  }

  @Test
  void shouldTreatARendezvousDisagreementAsAUserError() {
    List<Rendezvous> all =
        List.of(
            new Rendezvous(0, "h0", "h0:1", "aaaa", 7, 0, -1),
            new Rendezvous(1, "h1", "h1:1", "bbbb", 7, 0, -1));
    RuntimeException thrown = null;
    try {
      Rendezvous.checkAgreement(all.get(0), all);
    } catch (RuntimeException e) {
      thrown = e;
    }
    RankFailure f = RankTask.classify(thrown, 0, "h0", 0, List.of());
    assertThat(f.kind()).isEqualTo(RankFailure.Kind.USER);
    assertThat(f.line()).startsWith("rank 0 on host h0: rank 1 (host h1) parsed another config");
  }

  @Test
  void shouldCrossJavaSerializationWhateverTheOriginalExceptionHeld() throws Exception {
    // Spark ships a task's exception with Java serialization; a cause holding something that does
    // not serialize would reach the driver as a string only.
    RuntimeException unserializable =
        new RuntimeException("native") {
          private static final long serialVersionUID = 1L;

          @SuppressWarnings("unused")
          private final transient Object handle = new Object();

          private final Thread notSerializable = Thread.currentThread();
        };
    RankFailure f = RankTask.classify(unserializable, 1, "h1", 0, List.of("tail 1", "tail 2"));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(new RankFailedException(f));
    }
    RankFailedException back;
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      back = (RankFailedException) in.readObject();
    }
    assertThat(back.failure()).isEqualTo(f);
    assertThat(back.getMessage()).isEqualTo(f.line()).doesNotContain("\n");
    assertThat(back.logTailBlock())
        .containsExactly("last 2 lines of the log of rank 1:", "  tail 1", "  tail 2");
  }
}
