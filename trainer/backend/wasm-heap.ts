import type * as tf from '@tensorflow/tfjs';

/** The parts of the wasm backend used to read and write tensors in place on its heap. */
interface HeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
}

/**
 * A float32 view of a tensor's data on the wasm heap (no copy). Any allocation on the backend can grow the
 * heap and detach earlier views, so take views after allocating.
 */
export function heapF32(backend: unknown, info: tf.TensorInfo): Float32Array {
  if (info.dtype !== 'float32') throw new Error(`expected float32, got ${info.dtype}`);
  return (backend as HeapBackend).typedArrayFromHeap(info) as Float32Array;
}

/** A new uninitialised float32 tensor on the wasm backend. */
export function allocF32(backend: unknown, shape: number[]): tf.TensorInfo {
  return (backend as HeapBackend).makeOutput(shape, 'float32');
}

/** The byte address of a tensor's data on the wasm heap (for kernels that run on that memory). */
export function addressOf(backend: unknown, info: tf.TensorInfo): number {
  const data = (
    backend as { dataIdMap: { get(id: tf.DataId): { memoryOffset: number } | undefined } }
  ).dataIdMap.get(info.dataId);
  if (data == null) throw new Error('tensor data not on the wasm backend');
  return data.memoryOffset;
}
