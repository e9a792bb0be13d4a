/**
 * Seeded weight initialisers. tfjs initialisers draw from an unseeded generator unless given a seed, so every
 * layer the project builds takes its initialiser from here: the same spec seed gives the same weights.
 */
import * as tf from '@tensorflow/tfjs';

type Initializer = ReturnType<typeof tf.initializers.randomNormal>;

import { mix, Stream } from '../data/rng.ts';

export class Init {
  private counter = 0;

  constructor(private readonly seed: number) {}

  private next(): number {
    return mix(this.seed, Stream.init, this.counter++);
  }

  /** A seed for a layer that draws its own randomness (nn/seeded-dropout.ts). */
  layerSeed(): number {
    return this.next();
  }

  /** N(0, stddev), the DCGAN paper's initialisation (stddev 0.02). */
  normal(stddev = 0.02): Initializer {
    return tf.initializers.randomNormal({ mean: 0, stddev, seed: this.next() });
  }

  glorot(): Initializer {
    return tf.initializers.glorotUniform({ seed: this.next() });
  }

  /** N(1, stddev) for batch-norm scales, as DCGAN does. */
  scale(stddev = 0.02): Initializer {
    return tf.initializers.randomNormal({ mean: 1, stddev, seed: this.next() });
  }
}
