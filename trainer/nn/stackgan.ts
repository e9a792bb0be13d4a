/**
 * StackGAN's networks (Zhang et al. 2017) at this project's sizes: stage I draws a low-resolution image from
 * z and the caption's condition c, stage II redraws it at twice the size from the stage-I image and a
 * condition of its own; each stage's discriminator judges an image with the caption's embedding (compressed,
 * tiled over its last feature map, as the paper joins them). DCGAN-style blocks throughout (nn/layers.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { dcganGenerator } from './dcgan.ts';
import type { Init } from './init.ts';
import { assertShape, concatenate, conv, deconv, dense, flatten, input, tileOver } from './layers.ts';

type Sym = tf.SymbolicTensor;

/** Stage I's G: [z, c] -> [side, side, channels], DCGAN's body from a map a quarter of the side. */
export function stageOneGenerator(
  latentDim: number,
  cDim: number,
  gChannels: number,
  [side, channels]: [number, number],
  init: Init,
): tf.LayersModel {
  const z = input([latentDim], 'z');
  const c = input([cDim], 'c');
  const image = dcganGenerator(z, c, gChannels, [side, side, channels], init);
  return tf.model({
    inputs: [z, c],
    outputs: assertShape(image, [null, side, side, channels], 'stage I G'),
    name: 'stage1_generator',
  });
}

/**
 * Stage II's G: [stage-I image (side / 2), c] -> [side, side, channels]. The image is encoded down to a
 * quarter of the output side, joined with c tiled over it, refined by two convolutions and upsampled twice
 * (BN and ReLU, tanh at the end).
 */
export function stageTwoGenerator(
  cDim: number,
  gChannels: number,
  [side, channels]: [number, number],
  init: Init,
): tf.LayersModel {
  const low = input([side / 2, side / 2, channels], 'stage1_image');
  const c = input([cDim], 'c');
  const block = { kernel: 3, activation: 'relu', init } as const;
  let h = conv(low, { ...block, filters: gChannels / 2, strides: 1 });
  h = conv(h, { ...block, filters: gChannels, strides: 2, batchNorm: true });
  h = concatenate([h, tileOver(c, side / 4, side / 4)]);
  h = conv(h, { ...block, filters: gChannels, strides: 1, batchNorm: true });
  h = conv(h, { ...block, filters: gChannels, strides: 1, batchNorm: true });
  h = deconv(h, { ...block, kernel: 5, filters: gChannels / 2, strides: 2, batchNorm: true });
  const image = deconv(h, { kernel: 5, filters: channels, strides: 2, activation: 'tanh', init });
  return tf.model({
    inputs: [low, c],
    outputs: assertShape(image, [null, side, side, channels], 'stage II G'),
    name: 'stage2_generator',
  });
}

/**
 * A stage's D: [image [side, side, channels], caption embedding] -> logit. Strided convolutions bring the
 * image to 4 x 4; the embedding, compressed by a Dense to cDim, is tiled over that map and joined to it; a
 * 1 x 1 convolution mixes them before the logit, so D can judge whether the image matches the caption.
 */
export function textImageDiscriminator(
  embedDim: number,
  cDim: number,
  dChannels: number,
  [side, channels]: [number, number],
  init: Init,
  name: string,
): tf.LayersModel {
  const x = input([side, side, channels], `${name}_image`);
  const e = input([embedDim], `${name}_embedding`);
  const downs = Math.log2(side / 4);
  if (!Number.isInteger(downs) || downs < 1)
    throw new Error(`${name}: side ${side} is not 4 times a power of 2`);
  let h: Sym = x;
  for (let k = 0; k < downs; k++)
    h = conv(h, {
      filters: dChannels * 2 ** k,
      kernel: 4,
      strides: 2,
      activation: 'leakyRelu',
      batchNorm: k > 0,
      init,
    });
  const text = dense(e, { units: cDim, activation: 'leakyRelu', init, normalInit: true });
  h = concatenate([h, tileOver(text, 4, 4)]);
  h = conv(h, {
    filters: dChannels * 2 ** (downs - 1),
    kernel: 1,
    strides: 1,
    activation: 'leakyRelu',
    batchNorm: true,
    init,
  });
  const logit = dense(flatten(h), { units: 1, init, normalInit: true });
  return tf.model({ inputs: [x, e], outputs: logit, name });
}

/**
 * The graph of `model` applied again to `inputs`, layer by layer with the same layer objects (so the same
 * weights), instead of nesting the model as one layer: a nested model inside two samplers would be disposed
 * twice by them, and flat shared layers are what the Progressive GAN's stage models share too.
 */
export function applyGraph(model: tf.LayersModel, inputs: Sym[]): Sym[] {
  if (inputs.length !== model.inputs.length)
    throw new Error(`${model.name} takes ${model.inputs.length} inputs, given ${inputs.length}`);
  const produced = new Map<string, Sym[]>();
  model.inputLayers.forEach((l, i) => {
    produced.set(l.name, [inputs[i]!]);
  });
  for (const layer of model.layers) {
    if (produced.has(layer.name)) continue;
    // The node the layer was first called on: the one that built `model`.
    const node = layer.inboundNodes[0]!;
    const args = node.inboundLayers.map((l, i) => {
      const out = produced.get(l.name);
      if (!out) throw new Error(`${model.name}: ${layer.name} reads ${l.name}, not yet applied`);
      return out[node.tensorIndices[i]!]!;
    });
    const out = layer.apply(args.length === 1 ? args[0]! : args) as Sym | Sym[];
    produced.set(layer.name, Array.isArray(out) ? out : [out]);
  }
  return model.outputs.map((t) => produced.get(t.sourceLayer.name)![t.tensorIndex ?? 0]!);
}

/**
 * A sampler of the trained stages as one model, [z, caption word ids] -> image: the frozen `encoder`, each
 * stage's conditioning mean (`mu` layers, the condition without its noise) and the stage generators in
 * order, each after the first taking the previous stage's image. Shares every layer with the training
 * networks, so it is what they are at any step.
 */
export function captionSampler(
  latentDim: number,
  words: number,
  encoder: tf.LayersModel,
  stages: { mu: tf.layers.Layer; generator: tf.LayersModel }[],
  name: string,
): tf.LayersModel {
  const z = input([latentDim], 'z');
  const caption = input([words], 'caption');
  const [e] = applyGraph(encoder, [caption]);
  let image: Sym | undefined;
  for (const { mu, generator } of stages) {
    const c = mu.apply(e!) as Sym;
    [image] = applyGraph(generator, [image ?? z, c]);
  }
  return tf.model({ inputs: [z, caption], outputs: image!, name });
}
