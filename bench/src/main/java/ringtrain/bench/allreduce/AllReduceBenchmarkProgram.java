package ringtrain.bench.allreduce;

import ringtrain.common.bench.Benchmark;

/** Makes {@link AllReduceBenchmark} reachable as {@code ringtrain bench allreduce}. */
public final class AllReduceBenchmarkProgram implements Benchmark {
  @Override
  public String name() {
    return "allreduce";
  }

  @Override
  public String description() {
    return "ring all-reduce over Aeron: nccl-tests table, raw p2p bandwidth, Spark treeAggregate";
  }

  @Override
  public int run(String[] args) {
    return AllReduceBenchmark.run(args);
  }
}
