/**
 * The Conditional Analogy GAN (Jetchev and Bergmann 2017) on an articles set: G (nn/analogy-generator.ts)
 * takes a person x, the article they wear and a new article, and composites a painted image into x through
 * a mask. D, nn/patchgan.ts conditioned on an article, judges (article, image) pairs: (article, x) is real;
 * (new article, G's output) and (new article, x), a real person with the wrong article, are fake. G's loss:
 * adversarialWeight x the non-saturating term, cycleWeight x L1 between x and G's output given back the worn
 * article (the swap undone), and the masks' L1 and total variation, on both swaps. adversarialWeight 0 is
 * the non-adversarial baseline: the same G, no D.
 */
import * as tf from '@tensorflow/tfjs';
import type { CaganHyperparameters } from '../../shared/catalog.ts';
import type { Gan, GanFamily, Phase, StepInputs } from '../gan.ts';
import { discriminatorBceMismatched, generatorNonSaturating, meanProbability } from '../losses/bce.ts';
import { cycleLoss } from '../losses/cycle.ts';
import { maskL1, totalVariation } from '../losses/mask.ts';
import { analogyGeneratorModel } from '../nn/analogy-generator.ts';
import { adam } from '../nn/optimizers.ts';
import { patchGanModel } from '../nn/patchgan.ts';

function articlesOf({ article, newArticle }: StepInputs): { article: tf.Tensor; newArticle: tf.Tensor } {
  if (!article || !newArticle) throw new Error('a cagan step needs an articles batch (article, newArticle)');
  return { article, newArticle };
}

export const cagan: GanFamily<CaganHyperparameters> = {
  id: 'cagan',
  build({ hyperparameters: hp, dataset, init }): Gan {
    const shape = dataset.shape as [number, number, number];
    const G = analogyGeneratorModel({
      imageShape: shape,
      filters: hp.gFilters,
      dropoutLayers: hp.dropoutLayers,
      dropoutRate: hp.dropout,
      init,
    });
    const swap = (person: tf.Tensor, worn: tf.Tensor, wanted: tf.Tensor) => {
      const [image, mask] = G.apply([person, worn, wanted], { training: true }) as tf.Tensor[];
      return { image: image!, mask: mask! };
    };
    const maskTerms = (mask: tf.Tensor) =>
      tf.add<tf.Scalar>(tf.mul(hp.maskWeight, maskL1(mask)), tf.mul(hp.maskTvWeight, totalVariation(mask)));
    const translation = {
      inputs: ['x' as const, 'article' as const, 'newArticle' as const],
      masks: ['mask'],
    };
    const adversarial = hp.adversarialWeight > 0;
    const D = adversarial
      ? patchGanModel({
          imageShape: shape,
          conditionChannels: shape[2],
          filters: hp.dFilters,
          downs: hp.patchDowns,
          norm: 'batch',
          init,
          name: 'discriminator',
        })
      : undefined;
    const judge = (article: tf.Tensor, image: tf.Tensor) =>
      D!.apply([article, image], { training: true }) as tf.Tensor;

    const gPhase: Phase = {
      name: 'G',
      updates: ['G'],
      optimizer: 'G',
      loss: (inputs) => {
        const person = inputs.real;
        const { article, newArticle } = articlesOf(inputs);
        const swapped = swap(person, article, newArticle);
        const back = swap(swapped.image, newArticle, article);
        const cycle = cycleLoss(person, back.image, hp.cycleWeight);
        const mask = tf.add<tf.Scalar>(maskTerms(swapped.mask), maskTerms(back.mask));
        const metrics: Record<string, tf.Scalar> = {
          'G/cycle': cycle,
          'G/mask': mask,
          'mask/mean': tf.mean(swapped.mask),
        };
        const terms = [cycle, mask];
        if (adversarial) {
          const fooled = generatorNonSaturating(judge(newArticle, swapped.image));
          metrics['G/adversarial'] = fooled;
          terms.push(tf.mul(hp.adversarialWeight, fooled));
        }
        return { loss: tf.addN(terms) as tf.Scalar, metrics };
      },
    };
    const dPhase: Phase = {
      name: 'D',
      updates: ['D'],
      optimizer: 'D',
      loss: (inputs) => {
        const person = inputs.real;
        const { article, newArticle } = articlesOf(inputs);
        const real = judge(article, person);
        const fake = judge(newArticle, swap(person, article, newArticle).image);
        const mismatched = judge(newArticle, person);
        return {
          loss: discriminatorBceMismatched(real, fake, mismatched),
          metrics: {
            'D(real)': meanProbability(real),
            'D(fake)': meanProbability(fake),
            'D(mismatched)': meanProbability(mismatched),
          },
        };
      },
    };
    return {
      nets: D ? { G, D } : { G },
      optimizers: adversarial ? { G: adam(hp), D: adam(hp) } : { G: adam(hp) },
      phases: adversarial ? [dPhase, gPhase] : [gPhase],
      generator: G,
      latentDim: 0,
      translation,
    };
  },
};
