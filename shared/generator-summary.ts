/**
 * A generator descriptor's inputs in words, as the playground and `ganzoo pull` show them. Types only from
 * generator.ts, so the dashboard bundles this without zod.
 */
import type { GeneratorInput } from './generator.ts';

/** Values in one sample of an input or output (the product of its shape). */
export const sizeOf = (io: { shape: readonly number[] }): number => io.shape.reduce((a, b) => a * b, 1);

/** One input as `name[size] (kind, detail)`, e.g. `z[62] (latent, uniform)`. */
export function inputSummary(i: GeneratorInput): string {
  const detail =
    i.kind === 'latent' || i.kind === 'noise'
      ? `, ${i.distribution}`
      : i.kind === 'class' || i.kind === 'label-map'
        ? `, ${i.classes} classes`
        : i.kind === 'code'
          ? `, ${i.categorical} categorical + ${i.continuous} continuous`
          : i.kind === 'pose'
            ? `, azimuth ${i.azimuth[0]}-${i.azimuth[1]}, elevation ${i.elevation[0]}-${i.elevation[1]} ${i.unit}`
            : '';
  return `${i.name}[${sizeOf(i)}] (${i.kind}${detail})`;
}
