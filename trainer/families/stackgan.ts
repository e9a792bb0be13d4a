/**
 * StackGAN (Zhang et al. 2017): an image drawn from a caption in two stages. The caption's embedding comes
 * from the frozen caption encoder (captions/encoder.ts: token embedding + LSTM, trained by its own script);
 * each stage's conditioning augmentation turns it into a Gaussian whose sample c conditions that stage's G,
 * with the KL term in G's loss. Stage I (half the image side) trains first, then stage II redraws stage I's
 * image at full size while stage I stays fixed (in no phase). Each stage's D is matching-aware: a real image
 * with a wrong caption (the batch's captions rolled by one) counts as fake. The gallery and the exported
 * generator take [z, caption word ids] and condition on each stage's mean, so a caption gives one condition.
 */
import * as tf from '@tensorflow/tfjs';
import { CAPTION_WORDS } from '../../shared/captions.ts';
import type { StackganHyperparameters } from '../../shared/catalog.ts';
import { frozenCaptionEncoder } from '../captions/encoder.ts';
import { Rng, Stream } from '../data/rng.ts';
import type { GanFamily, Phase, Stage, StepInputs } from '../gan.ts';
import { generatorNonSaturating, meanProbability } from '../losses/bce.ts';
import { gaussianKl } from '../losses/kl.ts';
import { matchingAwareDiscriminatorBce, wrongCaptions } from '../losses/matching-aware.ts';
import { conditioningAugmentation, reparameterise } from '../nn/conditioning-augmentation.ts';
import { adam } from '../nn/optimizers.ts';
import {
  captionSampler,
  stageOneGenerator,
  stageTwoGenerator,
  textImageDiscriminator,
} from '../nn/stackgan.ts';

const captionOf = ({ caption }: StepInputs) => {
  if (!caption) throw new Error('a StackGAN step needs the batch captions of a captioned dataset');
  return caption;
};

export const stackgan: GanFamily<StackganHyperparameters> = {
  id: 'stackgan',
  build({ hyperparameters: hp, dataset, init, steps }) {
    if (dataset.kind !== 'captioned')
      throw new Error(`stackgan draws from captions, dataset '${dataset.id}' holds ${dataset.kind}`);
    const [side, width, channels] = dataset.shape as [number, number, number];
    if (side !== width || side % 8 !== 0)
      throw new Error(
        `stackgan needs square images with sides divisible by 8, got ${dataset.shape.join('x')}`,
      );
    const until = Math.floor(steps * hp.stageOneShare);
    if (until < 1 || until >= steps)
      throw new Error(`stackgan splits ${steps} steps at ${until}: both stages need at least one step`);
    const encoder = frozenCaptionEncoder();
    const embedDim = encoder.outputs[0]!.shape[1] as number;
    const sides = [side / 2, side] as const;
    const ca = [1, 2].map((k) => conditioningAugmentation(embedDim, hp.conditionDim, init, `ca${k}`));
    const G = [
      stageOneGenerator(hp.latentDim, hp.conditionDim, hp.gChannels, [sides[0], channels], init),
      stageTwoGenerator(hp.conditionDim, hp.gChannels, [side, channels], init),
    ];
    const D = sides.map((s, k) =>
      textImageDiscriminator(embedDim, hp.conditionDim, hp.dChannels, [s, channels], init, `d${k + 1}`),
    );
    const samplers = [1, 2].map((n) =>
      captionSampler(
        hp.latentDim,
        CAPTION_WORDS,
        encoder,
        G.slice(0, n).map((generator, k) => ({ generator, mu: ca[k]!.mu })),
        `stage${n}_sampler`,
      ),
    );

    // The samplers hold the encoder's layers now; its own model is let go, and phases run its layers.
    const encoderLayers = encoder.layers.filter((l) => l.getClassName() !== 'InputLayer');
    encoder.dispose();
    const embed = (caption: tf.Tensor) =>
      encoderLayers.reduce((x, layer) => layer.apply(x) as tf.Tensor, caption);
    /** Stage k's condition for a draw: its Gaussian and a sample of it (eps from seed, draw and stage). */
    const condition = (k: number, e: tf.Tensor, inputs: StepInputs) => {
      const [mu, logvar] = ca[k]!.model.apply(e, { training: true }) as tf.Tensor[];
      const rng = new Rng(inputs.seed, Stream.familyNoise, inputs.draw, k);
      const eps = tf.tensor(rng.normals(mu!.size), mu!.shape);
      return { c: reparameterise(mu!, logvar!, eps), kl: gaussianKl(mu!, logvar!) };
    };
    /** Stage k's fake for a draw, and its KL term; stage II draws on stage I's image, stage I fixed. */
    const fake = (k: number, e: tf.Tensor, inputs: StepInputs) => {
      const { c, kl } = condition(k, e, inputs);
      if (k === 0) return { image: G[0]!.apply([inputs.z, c], { training: true }) as tf.Tensor, kl };
      const mu1 = ca[0]!.mu.apply(e) as tf.Tensor;
      const low = G[0]!.apply([inputs.z, mu1], { training: false }) as tf.Tensor;
      return { image: G[1]!.apply([low, c], { training: true }) as tf.Tensor, kl };
    };
    const judge = (k: number, image: tf.Tensor, e: tf.Tensor) =>
      D[k]!.apply([image, e], { training: true }) as tf.Tensor;

    const phasesOf = (k: number): Phase[] => [
      {
        name: 'D',
        updates: [`D${k + 1}`],
        optimizer: `D${k + 1}`,
        loss: (inputs) => {
          const e = embed(captionOf(inputs));
          const realRight = judge(k, inputs.real, e);
          const fakeRight = judge(k, fake(k, e, inputs).image, e);
          const realWrong = judge(k, inputs.real, wrongCaptions(e));
          return {
            loss: matchingAwareDiscriminatorBce(realRight, fakeRight, realWrong),
            metrics: {
              'D(x)': meanProbability(realRight),
              'D(G(z))': meanProbability(fakeRight),
              'D(x, wrong)': meanProbability(realWrong),
            },
          };
        },
      },
      {
        name: 'G',
        updates: [`G${k + 1}`, `CA${k + 1}`],
        optimizer: `G${k + 1}`,
        loss: (inputs) => {
          const e = embed(captionOf(inputs));
          const { image, kl } = fake(k, e, inputs);
          return {
            loss: tf.add(generatorNonSaturating(judge(k, image, e)), tf.mul(kl, hp.klWeight)),
            metrics: { kl },
          };
        },
      },
    ];
    const stages: Stage[] = sides.map((s, k) => ({
      name: `stage ${k === 0 ? 'I' : 'II'} ${s}x${s}`,
      ...(k === 0 ? { until } : {}),
      resolution: [s, s],
      generator: samplers[k]!,
      phases: phasesOf(k),
    }));
    return {
      // The samplers too: they hold the frozen encoder's layers, which no other network does.
      nets: {
        G1: G[0]!,
        CA1: ca[0]!.model,
        D1: D[0]!,
        G2: G[1]!,
        CA2: ca[1]!.model,
        D2: D[1]!,
        sampler1: samplers[0]!,
        sampler2: samplers[1]!,
      },
      optimizers: Object.fromEntries(['G1', 'D1', 'G2', 'D2'].map((n) => [n, adam(hp)])),
      phases: [],
      stages,
      generator: samplers[1]!,
      latentDim: hp.latentDim,
      captioned: { words: CAPTION_WORDS },
    };
  },
};
