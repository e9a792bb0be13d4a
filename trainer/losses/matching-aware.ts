/**
 * The matching-aware discriminator loss (Reed et al. 2016, as StackGAN trains its Ds): D judges (image,
 * caption) pairs, and only a real image with its own caption is real; a generated image with the right
 * caption and a real image with a wrong caption are both fake, so D must check that the image matches the
 * caption as well as that it looks real. Logits as losses/bce.ts takes them.
 *   L_D = -log D(x, t) - 1/2 [log(1 - D(G(z, t), t)) + log(1 - D(x, t_wrong))]
 */
import * as tf from '@tensorflow/tfjs';

export function matchingAwareDiscriminatorBce(
  realRight: tf.Tensor,
  fakeRight: tf.Tensor,
  realWrong: tf.Tensor,
): tf.Scalar {
  return tf.tidy(() =>
    tf.add(
      tf.mean(tf.softplus(tf.neg(realRight))),
      tf.mul(tf.add(tf.mean(tf.softplus(fakeRight)), tf.mean(tf.softplus(realWrong))), 0.5),
    ),
  );
}

/**
 * Wrong captions for a batch, as captions [B, words] or their embeddings [B, dims] (the same rows either
 * way, so a frozen encoder need not run twice): each row takes the next row's (the last takes the first), so
 * every caption of the batch is used once as a wrong one. A row whose neighbour has the same caption is not
 * mismatched; with 800 possible captions that is rare.
 */
export function wrongCaptions<T extends tf.Tensor>(captions: T): T {
  const n = captions.shape[0]!;
  if (n < 2) throw new Error('wrong captions need a batch of at least 2');
  return tf.tidy(() => tf.concat([captions.slice(1, n - 1), captions.slice(0, 1)]) as T);
}
