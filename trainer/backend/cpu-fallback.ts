import * as tf from '@tensorflow/tfjs';

type Values = tf.backend_util.BackendValues;

/**
 * Runs the cpu backend's kernel on another backend's tensors: copy inputs to cpu, run, copy outputs back.
 * Correct wherever the cpu kernel is, at the cpu kernel's speed; meant for rare kernels.
 */
export function runOnCpu(
  kernelName: string,
  inputs: tf.NamedTensorInfoMap,
  attrs: tf.NamedAttrMap,
  backend: tf.KernelBackend,
): tf.TensorInfo | tf.TensorInfo[] {
  const kernel = tf.getKernel(kernelName, 'cpu');
  const cpu = tf.findBackend('cpu');
  if (kernel == null || cpu == null) throw new Error(`cpu fallback: no cpu kernel for ${kernelName}`);
  const written: tf.DataId[] = [];
  try {
    const cpuInputs: tf.NamedTensorInfoMap = {};
    for (const [name, t] of Object.entries(inputs)) {
      if (t == null) continue;
      const dataId = cpu.write(backend.readSync(t.dataId) as Values, t.shape, t.dtype);
      written.push(dataId);
      cpuInputs[name] = { dataId, shape: t.shape, dtype: t.dtype };
    }
    const out = kernel.kernelFunc({ inputs: cpuInputs, attrs, backend: cpu });
    const outs = Array.isArray(out) ? out : [out];
    const results = outs.map((o) => {
      const values = cpu.readSync(o.dataId) as Values;
      cpu.disposeData(o.dataId);
      return makeOutput(backend, o.shape, o.dtype, values);
    });
    return Array.isArray(out) ? results : results[0]!;
  } finally {
    for (const dataId of written) cpu.disposeData(dataId);
  }
}

function makeOutput(
  backend: tf.KernelBackend,
  shape: number[],
  dtype: tf.DataType,
  values: Values,
): tf.TensorInfo {
  return { dataId: backend.write(values, shape, dtype), shape, dtype };
}

/** A kernel config for `backendName` that defers to the cpu kernel of the same name. */
export function cpuFallbackKernel(kernelName: string, backendName = 'wasm'): tf.KernelConfig {
  return {
    kernelName,
    backendName,
    kernelFunc: ({ inputs, attrs, backend }) =>
      runOnCpu(kernelName, inputs, attrs ?? {}, backend as tf.KernelBackend),
  };
}
