package ringtrain.worker.model;

import ringtrain.common.config.ModelConfig;

/** Builds the {@link TrainableModel} a {@code model.*} section names. */
public final class Models {
  private Models() {}

  /**
   * A freshly initialized network: a built-in shorthand from {@link NetworkFactory}, or for {@code
   * model.type = dl4j} the network of {@link NetworkSource#json}. Start parameters of a model zip
   * are not applied here ({@link NetworkSource#startParams}).
   *
   * @param shape input shape: {@code {d}} for flat features, {@code {c,h,w}} for images
   */
  public static TrainableModel build(ModelConfig model, int[] shape, int numClasses, long seed) {
    if (model.type() == ModelConfig.Type.DL4J) {
      return NetworkSource.build(NetworkSource.json(model, shape, numClasses, seed));
    }
    return new MultiLayerModel(NetworkFactory.build(model, shape, numClasses, seed));
  }
}
