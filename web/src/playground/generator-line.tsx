/** The line above an image-taking playground: whose generator it is, the tfjs backend and its inputs. */
import type { RunRecord } from '../api/types.ts';
import { href } from '../lib/route.ts';
import type { LoadedGenerator } from './generator.ts';

export function GeneratorLine({ run, gen }: { run: RunRecord; gen: LoadedGenerator }) {
  return (
    <p class="muted">
      Generator of <a href={href({ page: 'run', id: run.id })}>{run.id}</a> ({run.spec.family} on{' '}
      {run.spec.dataset}) · tfjs backend <strong data-testid="tf-backend">{gen.backend}</strong> · inputs{' '}
      {gen.descriptor.inputs.map((i) => `${i.name}[${i.shape.join('x')}]`).join(', ')}
    </p>
  );
}
