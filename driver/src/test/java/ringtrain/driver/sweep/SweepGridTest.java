package ringtrain.driver.sweep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import ringtrain.common.error.UserException;

/** Sweep points from --grid (cartesian product) and from --runs files. */
class SweepGridTest {
  @TempDir Path tmp;

  @Test
  void shouldTakeTheCartesianProductWithTheFirstAxisVaryingSlowest() {
    List<SweepPoint> points =
        SweepGrid.product(
            List.of("optim.name=lamb,lars", "train.accumulation=1,4,16", "model.hidden=[64,32]"));
    assertThat(points).hasSize(6);
    assertThat(points.get(0).settings())
        .containsExactly("optim.name=lamb", "train.accumulation=1", "model.hidden=[64,32]");
    assertThat(points.get(5).settings())
        .containsExactly("optim.name=lars", "train.accumulation=16", "model.hidden=[64,32]");
    // The rule leaves out what sets the batch, so the plots draw one line per optimizer.
    assertThat(points.get(1).rule()).isEqualTo("optim.name=lamb model.hidden=[64,32]");
    assertThat(points.get(1).rule()).isEqualTo(points.get(2).rule());
    assertThat(points.stream().map(SweepPoint::name).distinct()).hasSize(6);
  }

  @Test
  void shouldNameAPointByItsSettingsAlone() {
    SweepPoint a = new SweepPoint(List.of("optim.lr=0.1", "schedule.name=poly"));
    assertThat(a.name()).isEqualTo(new SweepPoint(a.settings()).name());
    assertThat(a.name()).startsWith("optim.lr=0.1_schedule.name=poly-");
    assertThat(a.name()).isNotEqualTo(new SweepPoint(List.of("optim.lr=0.2")).name());
  }

  @Test
  void shouldReadOnePointPerLineOfARunsFile() throws Exception {
    Path file = tmp.resolve("runs.txt");
    Files.writeString(
        file,
        "# linear scaling at two batches\n"
            + "optim.scaling=linear train.accumulation=1\n\n"
            + "--set optim.name=lamb --set=train.accumulation=8\n");
    List<SweepPoint> points = SweepGrid.fromFile(file);
    assertThat(points).hasSize(2);
    assertThat(points.get(1).settings()).containsExactly("optim.name=lamb", "train.accumulation=8");
  }

  @Test
  void shouldRefuseMalformedGridsWithOneLine() throws Exception {
    assertThatThrownBy(() -> SweepGrid.product(List.of("optim.lr")))
        .isInstanceOf(UserException.class)
        .hasMessageContaining("key=v1,v2");
    assertThatThrownBy(() -> SweepGrid.product(List.of("optim.lr=1", "optim.lr=2")))
        .isInstanceOf(UserException.class)
        .hasMessageContaining("twice");
    assertThatThrownBy(() -> SweepGrid.product(List.of("optim.lr=1,,2")))
        .isInstanceOf(UserException.class)
        .hasMessageContaining("empty value");
    Path bad = tmp.resolve("bad.txt");
    Files.writeString(bad, "optim.lr=1 lamb\n");
    assertThatThrownBy(() -> SweepGrid.fromFile(bad))
        .isInstanceOf(UserException.class)
        .hasMessageContaining("line 1")
        .hasMessageNotContaining("\n");
  }
}
