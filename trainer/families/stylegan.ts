/**
 * StyleGAN (Karras et al. 2019) at one resolution: the mapping network z -> w (nn/mapping.ts, its running
 * mean of w kept for truncation), the synthesis network from a learned constant with per-layer noise and
 * AdaIN from w (nn/stylegan.ts), and the Progressive GAN's critic at the image's side. Each training batch
 * mixes, with mixingProbability, the styles of a second z from a random layer on (the crossover and the
 * second z drawn from the run's seed and the draw). Non-saturating logistic loss, R1 on D at real images.
 */
import * as tf from '@tensorflow/tfjs';
import type { StyleganHyperparameters } from '../../shared/catalog.ts';
import { holdsImages } from '../../shared/datasets.ts';
import { Rng, Stream } from '../data/rng.ts';
import type { GanFamily, StepInputs } from '../gan.ts';
import { latentValues } from '../latents.ts';
import { r1Penalty } from '../losses/r1.ts';
import { input } from '../nn/layers.ts';
import { mappingNetwork, WAverage } from '../nn/mapping.ts';
import { adam } from '../nn/optimizers.ts';
import { growthSides, progressiveCritics } from '../nn/progressive.ts';
import { mixStyles, NoiseDraw, synthesisNetwork } from '../nn/stylegan.ts';
import { bcePhases } from '../phases/adversarial.ts';

/** The familyNoise purpose of a draw's mixing choice and second z (noise layers use their indices). */
const MIXING = 1 << 20;

/** The layer a draw's styles switch to its second z at: 1 .. layers - 1, or `layers` for no mixing. */
export function crossoverOf(rng: Rng, layers: number, probability: number): number {
  return layers > 1 && rng.uniform() < probability ? 1 + rng.int(layers - 1) : layers;
}

export const stylegan: GanFamily<StyleganHyperparameters> = {
  id: 'stylegan',
  build({ hyperparameters: hp, dataset, init }) {
    const [side, width, imageChannels] = dataset.shape as [number, number, number];
    if (!holdsImages(dataset) || side !== width)
      throw new Error(`stylegan draws square images, got ${dataset.shape.join('x')}`);
    const noise = new NoiseDraw();
    const mapping = mappingNetwork({
      latentDim: hp.latentDim,
      wDim: hp.wDim,
      layers: hp.mappingLayers,
      init,
    });
    const { model: synthesis, layerSides } = synthesisNetwork({
      wDim: hp.wDim,
      channels: hp.channels,
      side,
      imageChannels,
      init,
      noise,
    });
    const layers = layerSides.length;
    const wAverage = new WAverage({ beta: hp.wAvgBeta, name: 'w_avg' });
    // The generator of the gallery and the export: every layer styled by the one w of z.
    const z = input([hp.latentDim], 'z');
    const w = wAverage.apply(mapping.apply(z)) as tf.SymbolicTensor;
    const ws = tf.layers.repeatVector({ n: layers }).apply(w) as tf.SymbolicTensor;
    const G = tf.model({ inputs: z, outputs: synthesis.apply(ws) as tf.SymbolicTensor, name: 'generator' });
    const D = progressiveCritics({
      channels: hp.channels,
      side,
      imageChannels,
      mbstdGroup: hp.mbstdGroup,
      init,
    })(growthSides(side).length - 1, undefined);

    const training = { training: true };
    const generate = (inputs: StepInputs): tf.Tensor => {
      noise.set(inputs.seed, inputs.draw);
      const wA = wAverage.apply(mapping.apply(inputs.z, training), training) as tf.Tensor;
      const rng = new Rng(inputs.seed, Stream.familyNoise, inputs.draw, MIXING);
      const crossover = crossoverOf(rng, layers, hp.mixingProbability);
      let wB = wA;
      if (crossover < layers) {
        const [n, latentDim] = inputs.z.shape;
        const zB = tf.tensor2d(latentValues(rng, n * latentDim), [n, latentDim]);
        wB = mapping.apply(zB, training) as tf.Tensor;
      }
      return synthesis.apply(mixStyles(wA, wB, layers, crossover), training) as tf.Tensor;
    };
    const { phases } = bcePhases({
      generator: G,
      discriminator: D,
      loss: 'non-saturating',
      generate,
      penalty: {
        name: 'R1',
        of: (inputs) =>
          tf.mul(
            hp.r1Gamma / 2,
            r1Penalty((x) => D.apply(x, training) as tf.Tensor, inputs.real),
          ) as tf.Scalar,
      },
    });
    return {
      nets: { G, D },
      optimizers: { G: adam(hp), D: adam(hp) },
      phases,
      generate,
      generator: G,
      latentDim: hp.latentDim,
      truncation: true,
      styles: { mapping, synthesis, wAverage: () => wAverage.mean(), layerSides },
    };
  },
};
