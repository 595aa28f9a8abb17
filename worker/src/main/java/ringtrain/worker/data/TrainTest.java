package ringtrain.worker.data;

/** The training and test sets of one job, prepared the same way. */
public record TrainTest(Dataset train, Dataset test) {}
