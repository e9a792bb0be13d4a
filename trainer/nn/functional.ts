/**
 * A chain of dense and activation layers run with weights passed in as tensors instead of the layers' own
 * variables. tfjs layers always read their variables, so differentiating through an update of the weights
 * (the unrolled GAN's look-ahead discriminator) needs the same function written over explicit tensors.
 */
import * as tf from '@tensorflow/tfjs';

const SUPPORTED = ['InputLayer', 'Dense', 'LeakyReLU', 'ReLU', 'Activation', 'Flatten', 'Reshape'];

function activation(name: string, x: tf.Tensor): tf.Tensor {
  switch (name) {
    case 'linear':
      return x;
    case 'relu':
      return tf.relu(x);
    case 'tanh':
      return tf.tanh(x);
    case 'sigmoid':
      return tf.sigmoid(x);
    default:
      throw new Error(`functional forward: activation '${name}' is not supported`);
  }
}

/** Throws unless `model` is a single chain of the layers applyWithWeights knows. */
export function assertFunctionalChain(model: tf.LayersModel): void {
  model.layers.forEach((layer, i) => {
    const kind = layer.getClassName();
    if (!SUPPORTED.includes(kind))
      throw new Error(
        `functional forward: ${model.name} has a ${kind} layer (supported: ${SUPPORTED.join(', ')})`,
      );
    const inbound = layer.inboundNodes[0]?.inboundLayers ?? [];
    const previous = i === 0 ? [] : [model.layers[i - 1]];
    if (inbound.length !== previous.length || inbound.some((l, j) => l !== previous[j]))
      throw new Error(`functional forward: ${model.name} is not a single chain at layer ${layer.name}`);
  });
}

/**
 * model(x) computed with `weights` in place of model.trainableWeights (same order and shapes). The model
 * must pass assertFunctionalChain and have no non-trainable weights.
 */
export function applyWithWeights(model: tf.LayersModel, x: tf.Tensor, weights: tf.Tensor[]): tf.Tensor {
  if (weights.length !== model.trainableWeights.length)
    throw new Error(`${model.name} has ${model.trainableWeights.length} weights, got ${weights.length}`);
  let h = x;
  let next = 0;
  for (const layer of model.layers) {
    const config = layer.getConfig();
    switch (layer.getClassName()) {
      case 'InputLayer':
        break;
      case 'Dense': {
        const kernel = weights[next++]!;
        h = tf.matMul(h, kernel);
        if (config.useBias) h = tf.add(h, weights[next++]!);
        h = activation(String(config.activation), h);
        break;
      }
      case 'LeakyReLU':
        h = tf.leakyRelu(h, Number(config.alpha));
        break;
      case 'ReLU':
        h = tf.relu(h);
        break;
      case 'Activation':
        h = activation(String(config.activation), h);
        break;
      case 'Flatten':
        h = tf.reshape(h, [h.shape[0]!, -1]);
        break;
      case 'Reshape':
        h = tf.reshape(h, [h.shape[0]!, ...(config.targetShape as number[])]);
        break;
      default:
        throw new Error(`functional forward: ${layer.getClassName()} is not supported`);
    }
  }
  return h;
}
