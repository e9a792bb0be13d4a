import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend/index.ts';
import { openDataset } from '../data/index.ts';
import { buildGan } from '../loop.ts';
import { Modulate } from '../nn/modulate.ts';
import { LearnedConstant, Rotate3D } from '../nn/volume.ts';
import { fixedSampleInputs } from '../samples.ts';
import { disposeStepInputs, stepInputs } from '../step.ts';
import { tinySpec } from '../test-util.ts';
import { familyContract } from './contract-tests.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

familyContract('hologan', 'posed-objects', undefined, ['D(x)', 'D(G(z))', 'identity']);

describe('hologan: the parts of its row', () => {
  const spec = tinySpec('hologan', 'posed-objects');

  it('G: a learned 4D constant, 3D transposed convs with AdaIN from z, rotation by the pose, the projection unit, 2D convs with AdaIN', () => {
    const gan = buildGan(spec);
    const G = gan.nets.G!;
    expect(G.inputNames).toEqual(['z', 'pose']);
    const classes = G.layers.map((l) => l.getClassName());
    const constant = G.layers.find((l) => l instanceof LearnedConstant)!;
    expect(constant.outputShape).toEqual([null, 4, 4, 4, 8]);
    expect(constant.trainableWeights.map((w) => w.shape)).toEqual([[4, 4, 4, 8]]);
    // 32x32 images: a 16^3 volume, reached by two stride-2 3D transposed convolutions.
    const deconvs3d = G.layers.filter((l) => l.getClassName() === 'Conv3DTranspose');
    expect(deconvs3d.map((l) => l.outputShape)).toEqual([
      [null, 8, 8, 8, 4],
      [null, 16, 16, 16, 2],
    ]);
    const adain = G.layers.filter((l): l is Modulate => l instanceof Modulate);
    expect(adain.every((l) => l.norm === 'instance' && l.source.from === 'style')).toBe(true);
    // On the constant, after each 3D deconv, after the 2D deconv; every one reads z.
    expect(adain.map((l) => (l.outputShape as number[]).length)).toEqual([5, 5, 5, 4]);
    for (const l of adain) expect(l.inboundNodes[0]!.inboundLayers[1]!.name).toBe('z');
    const rotate = G.layers.find((l) => l instanceof Rotate3D)!;
    expect(rotate.inboundNodes[0]!.inboundLayers.map((l) => l.name)).toEqual([
      deconvs3d.at(-1)!.outboundNodes[0]!.outboundLayer.outboundNodes[0]!.outboundLayer.name,
      'pose',
    ]);
    // The projection unit: depth stacked into channels (16 x 2), then a 1x1 conv.
    expect(classes).toContain('Permute');
    expect(G.getLayer('projection').getWeights()[0]!.shape).toEqual([1, 1, 32, 8]);
    expect(classes).toContain('Conv2DTranspose');
    expect(G.outputs[0]!.shape).toEqual([null, 32, 32, 3]);
    expect(gan.pose).toEqual({ azimuth: [0, 360], elevation: [0, 60] });
    for (const net of Object.values(gan.nets)) net.dispose();
  });

  it('the pose turns the image: the same z at two azimuths gives two images, the same pose the same one', () => {
    const gan = buildGan(spec);
    const z = tf.tile(tf.randomNormal([1, 8], 0, 1, 'float32', 3), [3, 1]);
    const pose = tf.tensor2d([0, 30, 90, 30, 0, 30], [3, 2]);
    const out = gan.generator.predict([z, pose]) as tf.Tensor;
    const [a, b, c] = tf.split(out, 3, 0);
    expect(tf.max(tf.abs(tf.sub(a!, b!))).dataSync()[0]).toBeGreaterThan(1e-4);
    expect(tf.max(tf.abs(tf.sub(a!, c!))).dataSync()[0]).toBe(0);
    for (const net of Object.values(gan.nets)) net.dispose();
  });

  it('each step draws poses uniform over the dataset ranges; D has a logit and an identity head on z', () => {
    const gan = buildGan(spec);
    const data = openDataset(spec.dataset, spec.seed);
    const draws = stepInputs(gan, data, spec.seed, 0, 64);
    const pose = draws[0]!.pose!.arraySync();
    expect(pose).toHaveLength(64);
    expect(pose.every(([az, el]) => az! >= 0 && az! < 360 && el! >= 0 && el! < 60)).toBe(true);
    expect(Math.max(...pose.map((p) => p[0]!))).toBeGreaterThan(270);
    expect(gan.nets.D!.outputs.map((o) => o.shape)).toEqual([
      [null, 1],
      [null, 8],
    ]);
    disposeStepInputs(draws);
    // The gallery: one z per row, the azimuth sweeping along it.
    const { inputs, columns } = fixedSampleInputs(spec.seed, data.info, gan);
    expect(columns).toBe(8);
    const [z, poses] = inputs as [tf.Tensor, tf.Tensor];
    const zs = z.arraySync() as number[][];
    expect(zs[1]).toEqual(zs[0]);
    expect(zs[8]).not.toEqual(zs[0]);
    expect((poses.arraySync() as number[][]).slice(0, 3)).toEqual([
      [0, 30],
      [45, 30],
      [90, 30],
    ]);
    tf.dispose(inputs);
    for (const net of Object.values(gan.nets)) net.dispose();
  });
});
