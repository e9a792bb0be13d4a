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

/**
 * `layer`'s copy (a fresh layer of the same class and config holding its weights; one per layer, so a layer
 * applied twice in the model stays one layer) applied to `inputs`.
 */
function copyOf(layer: tf.layers.Layer, inputs: Sym[], copies: Map<tf.layers.Layer, tf.layers.Layer>): Sym[] {
  const cls = layer.constructor as unknown as LayerClass;
  let copy = copies.get(layer);
  const fresh = !copy;
  copy ??= cls.fromConfig(cls, layer.getConfig());
  copies.set(layer, copy);
  const out = copy.apply(inputs.length === 1 ? inputs[0]! : inputs) as Sym | Sym[];
  if (fresh) copy.setWeights(layer.getWeights());
  return Array.isArray(out) ? out : [out];
}

/**
 * Whether exporting needs the copy below: a layer to fold (in the model or in a model it applies as a
 * layer), or an output to add. A model of stock layers only is saved as it is.
 */
export function needsExportCopy(model: tf.LayersModel, extraOutputs: readonly string[] = []): boolean {
  const folds = (m: tf.LayersModel): boolean =>
    m.layers.some((l) => canFold(l) || (l instanceof tf.LayersModel && folds(l)));
  return extraOutputs.length > 0 || folds(model);
}

export function exportableModel(model: tf.LayersModel, extraOutputs: readonly string[] = []): tf.LayersModel {
  const byLayer = new Map<string, Sym[]>();
  const copies = new Map<tf.layers.Layer, tf.layers.Layer>();
  // Walked back from a model's outputs, node by node: a layer may also be applied in other models (a
  // Progressive GAN's blocks are shared by every resolution's G), and only the nodes this graph uses
  // count. A model applied as a layer (StyleGAN's mapping and synthesis in its G) is walked in place, its
  // inputs the tensors it was applied to, so the export is one flat graph of stock layers.
  const walk = (m: tf.LayersModel, given: Sym[] | undefined): { inputs: Sym[]; outputs: Sym[] } => {
    const built = new Map<string, Sym[]>();
    const build = (t: Sym): Sym => {
      const layer = t.sourceLayer;
      const key = `${layer.name}/${t.nodeIndex}`;
      let outputs = built.get(key);
      if (!outputs) {
        if (layer.getClassName() === 'InputLayer') {
          const at = m.inputLayers.indexOf(layer);
          const shape = (layer.batchInputShape ?? []).slice(1) as number[];
          outputs = [given ? given[at]! : tf.input({ shape, name: layer.name })];
        } else {
          const node = layer.inboundNodes[t.nodeIndex]!;
          const args = node.inputTensors.map(build);
          if (layer instanceof tf.LayersModel) outputs = walk(layer, args).outputs;
          else {
            const folded = canFold(layer) ? layer.fold(...args) : undefined;
            outputs = folded ? [folded] : copyOf(layer, args, copies);
          }
        }
        built.set(key, outputs);
        byLayer.set(layer.name, outputs);
      }
      return outputs[t.tensorIndex ?? 0]!;
    };
    return { inputs: m.inputs.map(build), outputs: m.outputs.map(build) };
  };
  const { inputs, outputs } = walk(model, undefined);
  const extra = extraOutputs.map((name) => {
    const out = byLayer.get(name);
    if (!out) throw new Error(`export: ${model.name} has no layer '${name}' to add as an output`);
    return out[0]!;
  });
  return tf.model({ inputs, outputs: [...outputs, ...extra], name: model.name });
}
