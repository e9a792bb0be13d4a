import type * as tf from '@tensorflow/tfjs';

/**
 * UnsortedSegmentSum (the gradient of gather, e.g. of an embedding) as one scatter-add pass.
 * Ids outside [0, numSegments) are dropped, as in TensorFlow.
 */
export function unsortedSegmentSum(args: {
  inputs: tf.NamedTensorInfoMap;
  attrs?: tf.NamedAttrMap;
  backend: unknown;
}): tf.TensorInfo {
  const backend = args.backend as tf.KernelBackend;
  const x = args.inputs.x!;
  const ids = args.inputs.segmentIds!;
  const numSegments = (args.attrs as { numSegments: number }).numSegments;
  const innerShape = x.shape.slice(ids.shape.length);
  const inner = innerShape.reduce((p, d) => p * d, 1);
  const xv = backend.readSync(x.dataId) as Float32Array | Int32Array;
  const idv = backend.readSync(ids.dataId) as Int32Array | Float32Array;
  const out =
    x.dtype === 'int32' ? new Int32Array(numSegments * inner) : new Float32Array(numSegments * inner);
  for (let i = 0; i < idv.length; i++) {
    const seg = idv[i]!;
    if (seg < 0 || seg >= numSegments) continue;
    const src = i * inner;
    const dst = seg * inner;
    for (let j = 0; j < inner; j++) out[dst + j]! += xv[src + j]!;
  }
  const shape = [numSegments, ...innerShape];
  return { dataId: backend.write(out, shape, x.dtype), shape, dtype: x.dtype };
}

export const unsortedSegmentSumConfig: tf.KernelConfig = {
  kernelName: 'UnsortedSegmentSum',
  backendName: 'wasm',
  kernelFunc: unsortedSegmentSum,
};
