/**
 * tfjs IOHandlers over an ArtifactSink, so models save to and load from a local folder or S3 alike
 * (tfjs has no file:// handler without tfjs-node). Layout: {dir}model.json + {dir}weights.bin, the
 * format browser tfjs loads with tf.loadLayersModel(url).
 */
import * as tf from '@tensorflow/tfjs';
// Registers the layer classes of ours an exported generator may hold, so every loader here can read it.
import '../nn/custom-layers.ts';
import { type ArtifactSink, locationOf } from './types.ts';

const WEIGHTS = 'weights.bin';

function concatBuffers(data: ArrayBuffer | ArrayBuffer[]): Uint8Array {
  const parts = Array.isArray(data) ? data : [data];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let o = 0;
  for (const p of parts) {
    out.set(new Uint8Array(p), o);
    o += p.byteLength;
  }
  return out;
}

export function sinkSaver(sink: ArtifactSink, dir: string): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      const weights = concatBuffers(artifacts.weightData ?? new ArrayBuffer(0));
      const { weightData: _weightData, ...rest } = artifacts;
      const modelJson = {
        ...rest,
        weightsManifest: [{ paths: [`./${WEIGHTS}`], weights: artifacts.weightSpecs ?? [] }],
      };
      delete (modelJson as { weightSpecs?: unknown }).weightSpecs;
      // Weights first: model.json is what readers look for, so it appears only when the weights are there.
      await sink.put(dir + WEIGHTS, weights, 'application/octet-stream');
      await sink.put(`${dir}model.json`, JSON.stringify(modelJson), 'application/json');
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
  };
}

export function sinkLoader(sink: ArtifactSink, dir: string): tf.io.IOHandler {
  return {
    async load(): Promise<tf.io.ModelArtifacts> {
      const json = await sink.get(`${dir}model.json`);
      if (!json) throw new Error(`no model at ${locationOf(sink, `${dir}model.json`)}`);
      const model = JSON.parse(new TextDecoder().decode(json)) as tf.io.ModelJSON;
      const specs = model.weightsManifest.flatMap((g) => g.weights);
      const bytes = await sink.get(dir + WEIGHTS);
      if (!bytes) throw new Error(`no weights at ${locationOf(sink, dir + WEIGHTS)}`);
      const weightData = bytes.buffer.slice(
        bytes.byteOffset,
        bytes.byteOffset + bytes.byteLength,
      ) as ArrayBuffer;
      return tf.io.getModelArtifactsForJSON(model, async () => [specs, weightData]);
    },
  };
}
