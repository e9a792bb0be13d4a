/**
 * A run's stored spec.json, read once and parsed once per process: the job reads it here and hands the
 * parsed spec on to the loop and the evaluation, which never read it again.
 */
import { runFiles } from '../shared/keys.ts';
import { type ExperimentSpec, parseStoredSpec, SpecError } from '../shared/spec.ts';
import { type ArtifactSink, locationOf } from './sinks/types.ts';

/** The run's spec is missing, not JSON or not a valid spec; the message names the object and the fault. */
export class RunSpecError extends Error {
  constructor(
    message: string,
    readonly fault: 'missing' | 'not JSON' | 'invalid',
    /** What is wrong without where: the JSON parser's or the spec's own message. */
    readonly detail = '',
  ) {
    super(message);
    this.name = 'RunSpecError';
  }
}

/** The run's parsed spec, as it was meant when stored (shared/spec.ts parseStoredSpec). */
export async function readRunSpec(sink: ArtifactSink): Promise<ExperimentSpec> {
  const at = locationOf(sink, runFiles.spec);
  const bytes = await sink.get(runFiles.spec);
  if (!bytes) throw new RunSpecError(`no ${runFiles.spec} in ${sink.location}`, 'missing');
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (err) {
    const detail = (err as Error).message;
    throw new RunSpecError(`${at} is not JSON: ${detail}`, 'not JSON', detail);
  }
  try {
    return parseStoredSpec(json);
  } catch (err) {
    if (err instanceof SpecError)
      throw new RunSpecError(`${at} is not a valid spec: ${err.message}`, 'invalid', err.message);
    throw err;
  }
}
