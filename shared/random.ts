/**
 * A small seeded random generator (mulberry32, 32 bits of state): reproducible draws where a cryptographic or
 * statistical-grade generator would be more than is needed (sweep points, playground latents, test choices).
 * The trainer's own draws use trainer/data/rng.ts.
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
