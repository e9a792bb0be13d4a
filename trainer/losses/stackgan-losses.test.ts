/** The KL term of conditioning augmentation and the matching-aware discriminator loss. */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { gaussianKl } from './kl.ts';
import { matchingAwareDiscriminatorBce, wrongCaptions } from './matching-aware.ts';

const value = (t: tf.Tensor) => {
  const v = t.dataSync()[0]!;
  t.dispose();
  return v;
};

describe('gaussianKl', () => {
  it('is 0 at N(0, I) and the closed form elsewhere, averaged over dimensions and the batch', () => {
    expect(value(gaussianKl(tf.zeros([3, 4]), tf.zeros([3, 4])))).toBeCloseTo(0, 6);
    // One row: mu (1, 0), var (1, e): 1/2 [(1 + 1 - 1 - 0) + (e + 0 - 1 - 1)]; the other row at N(0, I); four
    // elements in all.
    const kl = gaussianKl(
      tf.tensor2d([
        [1, 0],
        [0, 0],
      ]),
      tf.tensor2d([
        [0, 1],
        [0, 0],
      ]),
    );
    expect(value(kl)).toBeCloseTo((0.5 * (1 + Math.E - 2)) / 4, 5);
  });

  it('its gradient pulls mu to 0 and logvar to 0', () => {
    const [gMu, gLogvar] = tf.grads((m: tf.Tensor, l: tf.Tensor) => gaussianKl(m, l))([
      tf.tensor2d([[2, -1]]),
      tf.tensor2d([[1, -1]]),
    ]);
    const [a, b] = Array.from(gMu!.dataSync());
    const [c, d] = Array.from(gLogvar!.dataSync());
    // Two elements: each gradient is the element's own over 2.
    expect(a).toBeCloseTo(1, 5);
    expect(b).toBeCloseTo(-0.5, 5);
    expect(c).toBeCloseTo((0.5 * (Math.E - 1)) / 2, 5);
    expect(d).toBeCloseTo((0.5 * (Math.exp(-1) - 1)) / 2, 5);
    tf.dispose([gMu!, gLogvar!]);
  });
});

describe('matching-aware discriminator loss', () => {
  const logits = (v: number) => tf.fill([4, 1], v);

  it('counts a real image with a wrong caption as fake', () => {
    // D sure of real-right and fake-right; it only differs on real-wrong.
    const judgesMatch = value(matchingAwareDiscriminatorBce(logits(5), logits(-5), logits(-5)));
    const ignoresCaption = value(matchingAwareDiscriminatorBce(logits(5), logits(-5), logits(5)));
    expect(ignoresCaption).toBeGreaterThan(judgesMatch + 2);
    // -log sigmoid(5) + 1/2 (softplus(-5) + softplus(5)), by hand.
    const sp = (x: number) => Math.log1p(Math.exp(x));
    expect(ignoresCaption).toBeCloseTo(sp(-5) + 0.5 * (sp(-5) + sp(5)), 4);
  });

  it('weighs the two fakes half each against the real pair', () => {
    const sp = (x: number) => Math.log1p(Math.exp(x));
    const loss = value(matchingAwareDiscriminatorBce(logits(0), logits(1), logits(-2)));
    expect(loss).toBeCloseTo(sp(0) + 0.5 * (sp(1) + sp(-2)), 5);
  });

  it('wrong captions are the batch rolled by one', () => {
    const captions = tf.tensor2d(
      [
        [1, 1],
        [2, 2],
        [3, 3],
      ],
      undefined,
      'int32',
    );
    const wrong = wrongCaptions(captions);
    expect(wrong.arraySync()).toEqual([
      [2, 2],
      [3, 3],
      [1, 1],
    ]);
    expect(() => wrongCaptions(tf.tensor2d([[1, 1]]))).toThrow(/at least 2/);
    tf.dispose([captions, wrong]);
  });
});
