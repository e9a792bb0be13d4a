/**
 * SinGAN (Shaham et al. 2019): nn/singan.ts's pyramid trained coarse to fine on one image, one stage per
 * scale, the run's steps split evenly over the scales. Stage n's phases update only G_n and D_n (the coarser
 * generators are in its pyramid model but in no phase, so they stay fixed); its real image is the image
 * resized to the scale (Stage.resolution). D_n: the WGAN-GP critic game of phases/wasserstein.ts. G_n: the
 * critic's term times adversarialWeight plus alpha x the squared error of the reconstruction, the pyramid
 * fed fixed noise at the coarsest scale (drawn from the seed, so a resumed run has it) and none above.
 * Scale n's noise amplitude is noiseAmp x the RMSE of the coarser scales' reconstruction brought to its
 * size, set at its first step and kept in the weights. adversarialWeight 0 is the reconstruction-only
 * baseline: the same pyramid, no critics.
 */
import * as tf from '@tensorflow/tfjs';
import type { SinganHyperparameters } from '../../shared/catalog.ts';
import { resizeImages } from '../../shared/layers/resize.ts';
import { Rng, Stream } from '../data/rng.ts';
import type { GanFamily, Phase, Stage, StepInputs } from '../gan.ts';
import { generatorWasserstein } from '../losses/wasserstein.ts';
import { adam } from '../nn/optimizers.ts';
import {
  amplitudeOf,
  criticModel,
  layoutNoise,
  noiseLayout,
  pyramidModel,
  pyramidSizes,
  scaleLayers,
  scaleModel,
  setAmplitude,
  UNSET_AMPLITUDE,
  upscalers,
} from '../nn/singan.ts';
import { wassersteinPhases } from '../phases/wasserstein.ts';

export const singan: GanFamily<SinganHyperparameters> = {
  id: 'singan',
  build({ hyperparameters: hp, dataset, init, steps }) {
    const [height, width, imageChannels] = dataset.shape as [number, number, number];
    if (dataset.kind !== 'single')
      throw new Error(
        `singan trains on one image (a built-in single-image set, or an upload of kind 'single'), not ${dataset.kind}`,
      );
    const sizes = pyramidSizes([height, width], hp);
    if (steps < sizes.length)
      throw new Error(`singan trains ${sizes.length} scales and needs at least as many steps, got ${steps}`);
    const layout = noiseLayout(sizes, imageChannels);
    const net = { channels: hp.channels, layers: hp.layers, imageChannels, init };
    const scales = sizes.map((_, k) => scaleLayers(k, net));
    const ups = upscalers(sizes);
    const pyramids = sizes.map((_, n) => pyramidModel(scales, ups, layout, n));
    const adversarial = hp.adversarialWeight > 0;
    // The fixed reconstruction noise: z* at the coarsest scale, zeros above, from the seed (via init).
    const [h0, w0] = sizes[0]!;
    const zStar = new Rng(init.layerSeed(), Stream.reconstruction).normals(h0 * w0 * imageChannels);
    const reconstructionZ = layoutNoise(layout, [zStar]);
    const reconstruct = (n: number, training: boolean) =>
      pyramids[n]!.apply(tf.tensor2d(reconstructionZ, [1, layout.latentDim]), { training }) as tf.Tensor;

    /** Sets scale n's amplitude on its first step (after a resume it is already in the weights). */
    const ensureAmplitude = (n: number, real: tf.Tensor) => {
      if (n === 0 || amplitudeOf(scales[n]!) !== UNSET_AMPLITUDE) return;
      const rmse = tf.tidy(() => {
        const coarser = resizeImages(reconstruct(n - 1, false) as tf.Tensor4D, sizes[n]!);
        return tf.sqrt(tf.mean(tf.squaredDifference(coarser, tf.slice(real, 0, 1)))).dataSync()[0]!;
      });
      setAmplitude(scales[n]!, hp.noiseAmp * rmse);
    };

    const nets: Record<string, tf.LayersModel> = { G: pyramids.at(-1)! };
    const optimizers: Record<string, tf.Optimizer> = {};
    const perStage = Math.floor(steps / sizes.length);
    const stages: Stage[] = sizes.map((size, n) => {
      const keys = { G: `G${n}`, D: `D${n}` };
      // The finest pyramid is G; the coarser ones are kept (and disposed) with the nets too.
      if (n < sizes.length - 1) nets[`P${n}`] = pyramids[n]!;
      nets[keys.G] = scaleModel(scales[n]!, imageChannels);
      optimizers[keys.G] = adam(hp);
      const reconstruction = (inputs: StepInputs) =>
        tf.mean(tf.squaredDifference(reconstruct(n, true), tf.slice(inputs.real, 0, 1))) as tf.Scalar;
      const phases: Phase[] = [];
      let critic: tf.LayersModel | undefined;
      if (adversarial) {
        critic = criticModel(n, net);
        nets[keys.D] = critic;
        optimizers[keys.D] = adam(hp);
        const [d] = wassersteinPhases({
          G: pyramids[n]!,
          D: critic,
          nCritic: hp.nCritic,
          gpWeight: hp.gpWeight,
          keys,
        }).phases;
        phases.push({
          ...d!,
          loss: (inputs) => {
            ensureAmplitude(n, inputs.real);
            return d!.loss(inputs);
          },
        });
      }
      phases.push({
        name: 'G',
        updates: [keys.G],
        optimizer: keys.G,
        repeat: hp.gSteps,
        loss: (inputs) => {
          ensureAmplitude(n, inputs.real);
          const rec = reconstruction(inputs);
          const metrics: Record<string, tf.Scalar> = { 'G/reconstruction': rec };
          let loss = tf.mul(hp.reconstructionWeight, rec) as tf.Scalar;
          if (critic) {
            const fake = pyramids[n]!.apply(inputs.z, { training: true }) as tf.Tensor;
            const adv = generatorWasserstein(critic.apply(fake, { training: true }) as tf.Tensor);
            metrics['G/adversarial'] = adv;
            loss = tf.add(loss, tf.mul(hp.adversarialWeight, adv));
          }
          return { loss, metrics };
        },
      });
      return {
        name: `${size[0]}x${size[1]}`,
        ...(n === sizes.length - 1 ? {} : { until: (n + 1) * perStage }),
        resolution: size,
        generator: pyramids[n]!,
        phases,
      };
    });
    return {
      nets,
      optimizers,
      phases: [],
      stages,
      generator: pyramids.at(-1)!,
      latentDim: layout.latentDim,
      pyramid: { sizes },
    };
  },
};
