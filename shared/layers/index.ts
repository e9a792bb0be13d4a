/**
 * Every layer class of ours an exported generator may hold, registered with tfjs's serialization on import:
 * what a process needs beside stock tfjs to load any generator the trainer exports (the playground imports
 * this before it loads one). The names are what a model.json's className says.
 */
import { InstanceNorm, PixelNorm } from './normalise.ts';
import { LearnedConstant, Rotate3D } from './volume.ts';

export const PORTABLE_LAYER_CLASSES = [PixelNorm, InstanceNorm, LearnedConstant, Rotate3D].map(
  (c) => c.className,
);
