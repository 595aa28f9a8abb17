package ringtrain.driver.data;

import java.io.Serializable;

/**
 * One converted example on its way to its rank's shard (placement shard): the value of the
 * shuffle's records, keyed by {@link ShardKey}.
 *
 * @param features the example's features, normalized
 * @param label its class
 */
public record ShardExample(float[] features, int label) implements Serializable {}
