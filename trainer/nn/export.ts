/**
 * The exported generator as stock tfjs layers wherever it can be: a copy of the training model's graph in
 * which every layer with a fold() (spectral norm, modulate, attention's gamma) is replaced by the stock
 * layers that compute its inference output with its weights folded in, and every other layer is a fresh copy
 * of itself with its weights. The copy shares nothing with the training model. `extraOutputs` names layers
 * whose outputs the export adds after the sample (the attention maps), in that order.
 */
import * as tf from '@tensorflow/tfjs';

type Sym = tf.SymbolicTensor;
interface Foldable {
  fold(...inputs: Sym[]): Sym | undefined;
}
type LayerClass = tf.serialization.SerializableConstructor<tf.layers.Layer> & {
  fromConfig: typeof tf.layers.Layer.fromConfig;
};

function canFold(layer: tf.layers.Layer): layer is tf.layers.Layer & Foldable {
  return typeof (layer as unknown as Partial<Foldable>).fold === 'function';
}

/** A fresh layer of the same class and config, applied to `inputs`, holding copies of `layer`'s weights. */
function copyOf(layer: tf.layers.Layer, inputs: Sym[]): Sym[] {
  const cls = layer.constructor as unknown as LayerClass;
  const copy = cls.fromConfig(cls, layer.getConfig());
  const out = copy.apply(inputs.length === 1 ? inputs[0]! : inputs) as Sym | Sym[];
  copy.setWeights(layer.getWeights());
  return Array.isArray(out) ? out : [out];
}

export function exportableModel(model: tf.LayersModel, extraOutputs: readonly string[] = []): tf.LayersModel {
  const outputsOf = new Map<string, Sym[]>();
  for (const layer of model.layers) {
    if (layer.inboundNodes.length !== 1)
      throw new Error(`export: layer ${layer.name} is applied ${layer.inboundNodes.length} times`);
    if (layer.getClassName() === 'InputLayer') {
      const shape = (layer.batchInputShape ?? []).slice(1) as number[];
      const x = tf.input({ shape, name: layer.name });
      outputsOf.set(layer.name, [x]);
      continue;
    }
    const node = layer.inboundNodes[0]!;
    const args = node.inboundLayers.map((l, i) => {
      const produced = outputsOf.get(l.name);
      if (!produced) throw new Error(`export: ${layer.name} reads ${l.name}, not yet built`);
      return produced[node.tensorIndices[i]!]!;
    });
    const folded = canFold(layer) ? layer.fold(...args) : undefined;
    outputsOf.set(layer.name, folded ? [folded] : copyOf(layer, args));
  }
  const pick = (t: Sym) => outputsOf.get(t.sourceLayer.name)![t.tensorIndex ?? 0]!;
  const extra = extraOutputs.map((name) => {
    const out = outputsOf.get(name);
    if (!out) throw new Error(`export: ${model.name} has no layer '${name}' to add as an output`);
    return out[0]!;
  });
  return tf.model({
    inputs: model.inputs.map(pick),
    outputs: [...model.outputs.map(pick), ...extra],
    name: model.name,
  });
}
