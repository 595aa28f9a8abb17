package ringtrain.bench.deep;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import ringtrain.bench.Medians;
import ringtrain.bench.netlab.LabTraining;
import ringtrain.bench.netlab.NetLab;

/**
 * Overlap where the network is the bottleneck: the deep MLP trained by rank processes in the hosts
 * of a network lab (links shaped to the lab's rate), with and without bucketed all-reduce during
 * backward, alternating round by round on the same processes and ring. The ratio is the median
 * overlapped step over the median back-to-back step.
 */
final class LabOverlap {
  private LabOverlap() {}

  static Map<String, Object> measure(
      NetLab.Spec spec, List<String> job, int bucketMb, int rounds, int steps) throws Exception {
    int world = spec.hosts();
    double[][] off = new double[rounds][];
    double[][] on = new double[rounds][];
    try (NetLab lab = NetLab.up("rtd", 3, spec);
        LabTraining ranks = new LabTraining(lab, world, null, job, "2g")) {
      ranks.loop("off", List.of("comm.overlap=false"));
      ranks.loop("on", List.of("comm.overlap=true"));
      ranks.run("off", 2);
      ranks.run("on", 2);
      for (int r = 0; r < rounds; r++) {
        off[r] = ranks.run("off", steps);
        on[r] = ranks.run("on", steps);
        System.out.printf(
            Locale.ROOT,
            "overlap over the lab, round %d: back to back %.1f ms (compute %.1f, comm %.1f),"
                + " overlapped %.1f ms (compute %.1f, comm %.1f, hidden %.1f)%n",
            r + 1,
            off[r][0],
            off[r][1],
            off[r][2],
            on[r][0],
            on[r][1],
            on[r][2],
            on[r][3]);
      }
    }
    double offStep = Medians.of(column(off, 0));
    double onStep = Medians.of(column(on, 0));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("world_size", world);
    m.put("collective", "Aeron ring between rank processes in network lab hosts");
    m.put("netlab_rate", spec.rate());
    m.put("netlab_loss_pct", spec.lossPct());
    m.put("bucket_mb", bucketMb);
    m.put("off_step_ms", offStep);
    m.put("off_compute_ms", Medians.of(column(off, 1)));
    m.put("off_comm_ms", Medians.of(column(off, 2)));
    m.put("on_step_ms", onStep);
    m.put("on_compute_ms", Medians.of(column(on, 1)));
    m.put("on_comm_ms", Medians.of(column(on, 2)));
    m.put("on_overlap_ms", Medians.of(column(on, 3)));
    m.put("off_rounds_step_ms", column(off, 0));
    m.put("on_rounds_step_ms", column(on, 0));
    m.put("step_ratio_on_vs_back_to_back", onStep / offStep);
    System.out.printf(
        Locale.ROOT,
        "overlap (N=%d lab hosts, %s links): step %.1f ms with overlap vs %.1f ms back to back:"
            + " %.2fx (target <= 0.85)%n",
        world,
        spec.rate(),
        onStep,
        offStep,
        onStep / offStep);
    return m;
  }

  private static double[] column(double[][] rows, int c) {
    double[] out = new double[rows.length];
    for (int i = 0; i < rows.length; i++) {
      out[i] = rows[i][c];
    }
    return out;
  }
}
