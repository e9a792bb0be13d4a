/**
 * The feature network SRGAN's content loss is measured in: the encoder of a small convolutional autoencoder
 * the project trains on the photos-x4 training crops (train-photo-features.ts; no downloaded weights). The
 * encoder squeezes a 32 x 32 crop to 8 x 8 x 16 (a third of its values), so its features keep what a crop is
 * made of (edges, textures) rather than its pixels; the loss reads the 16 x 16 x 64 layer before that
 * bottleneck, as SRGAN reads a VGG layer. Weights are committed (weights/photo-features/, about 0.5 MB) and
 * read synchronously, since a family is built synchronously.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';

export const PHOTO_FEATURES_DIR = join(dirname(fileURLToPath(import.meta.url)), 'weights', 'photo-features');
/** The layer whose output the content loss compares. */
export const CONTENT_LAYER = 'features';

type Sym = tf.SymbolicTensor;

function conv(
  x: Sym,
  seed: number,
  i: number,
  filters: number,
  strides: number,
  name: string,
  tanh = false,
): Sym {
  return tf.layers
    .conv2d({
      name,
      filters,
      kernelSize: 3,
      strides,
      padding: 'same',
      activation: tanh ? 'tanh' : 'relu',
      kernelInitializer: tf.initializers.heNormal({ seed: seed * 100 + i }),
    })
    .apply(x) as Sym;
}

/** The encoder up to CONTENT_LAYER: [32, 32, 3] -> [16, 16, 64]. */
function toFeatures(x: Sym, seed: number): Sym {
  return conv(conv(conv(x, seed, 1, 32, 1, 'enc1'), seed, 2, 64, 2, 'enc2'), seed, 3, 64, 1, CONTENT_LAYER);
}

const IMAGE = [32, 32, 3];

/** The autoencoder: the encoder, its 8 x 8 x 16 code, then the decoder back to [32, 32, 3] in [-1, 1]. */
export function buildPhotoAutoencoder(seed = 1): tf.LayersModel {
  const x = tf.input({ shape: IMAGE, name: 'image' });
  let y = conv(toFeatures(x, seed), seed, 4, 16, 2, 'code');
  for (const [i, filters] of [64, 32].entries())
    y = tf.layers
      .conv2dTranspose({
        name: `dec${i + 1}`,
        filters,
        kernelSize: 4,
        strides: 2,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: tf.initializers.heNormal({ seed: seed * 100 + 5 + i }),
      })
      .apply(y) as Sym;
  const out = conv(y, seed, 7, 3, 1, 'reconstruction', true);
  return tf.model({ inputs: x, outputs: out, name: 'photo_autoencoder' });
}

/**
 * The committed feature network (the encoder up to CONTENT_LAYER), frozen: its weights are constants of the
 * loss, in no optimizer's list. Read synchronously from model.json's manifest and weights.bin.
 */
export function loadPhotoFeatures(dir = PHOTO_FEATURES_DIR): tf.LayersModel {
  const modelJson = join(dir, 'model.json');
  if (!existsSync(modelJson))
    throw new Error(`the photo feature network is not in ${dir}: run 'npm run train:photo-features'`);
  const manifest = JSON.parse(readFileSync(modelJson, 'utf8')) as {
    weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  };
  const specs = manifest.weightsManifest.flatMap((g) => g.weights);
  const bytes = readFileSync(join(dir, 'weights.bin'));
  const named = tf.io.decodeWeights(
    bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
    specs,
  );
  const x = tf.input({ shape: IMAGE, name: 'image' });
  const features = tf.model({ inputs: x, outputs: toFeatures(x, 1), name: 'photo_features' });
  for (const layer of features.layers) {
    if (layer.weights.length === 0) continue;
    layer.setWeights(
      layer.weights.map((w) => {
        const t = named[w.originalName];
        if (!t) throw new Error(`photo features: ${dir} has no weight '${w.originalName}'`);
        return t;
      }),
    );
    layer.trainable = false;
  }
  tf.dispose(Object.values(named));
  return features;
}
