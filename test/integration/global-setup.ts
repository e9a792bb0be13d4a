/**
 * Vitest global set-up of the integration project: LocalStack and moto for the whole suite. With
 * GANZOO_MOTO_URL set (docker-compose.yml, or `scripts/emulators/cli.ts start`) it uses the emulators
 * there: S3 on GANZOO_LOCALSTACK_URL, or on moto when that is not set. Otherwise it makes the Python
 * environment when missing (scripts/emulators/venv.ts) and starts both on free loopback ports, stopping them
 * when the suite ends. The endpoints reach the test files through provide/inject (env.ts turns them into
 * the SDK's endpoint variables).
 */
import type { TestProject } from 'vitest/node';
import {
  type AwsEmulators,
  configureMoto,
  localstackHealthy,
  motoHealthy,
  type ServiceEndpoints,
  serviceEndpoints,
  startAwsEmulators,
} from '../../scripts/emulators/emulators.ts';
import { ensureVenvs } from '../../scripts/emulators/venv.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    awsEmulators: ServiceEndpoints;
  }
}

async function check(name: string, url: string, healthy: (u: string) => Promise<boolean>): Promise<void> {
  const ok = await healthy(url).catch((err: Error) => {
    throw new Error(`${name} at ${url} is not reachable: ${err.message}`);
  });
  if (!ok) throw new Error(`${name} at ${url} answers but is not healthy`);
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const { GANZOO_LOCALSTACK_URL, GANZOO_MOTO_URL } = process.env;
  if (GANZOO_MOTO_URL) {
    if (GANZOO_LOCALSTACK_URL)
      await check('LocalStack (GANZOO_LOCALSTACK_URL)', GANZOO_LOCALSTACK_URL, localstackHealthy);
    await check('moto (GANZOO_MOTO_URL)', GANZOO_MOTO_URL, motoHealthy);
    await configureMoto(GANZOO_MOTO_URL);
    project.provide('awsEmulators', serviceEndpoints(GANZOO_LOCALSTACK_URL || undefined, GANZOO_MOTO_URL));
    return async () => {};
  }
  let emulators: AwsEmulators;
  try {
    const log = (line: string) => console.log(line);
    emulators = await startAwsEmulators(await ensureVenvs({ log }), { log });
  } catch (err) {
    throw new Error(
      `the integration suite could not start LocalStack and moto (docs/TESTING.md): ${(err as Error).message}`,
    );
  }
  const { s3, dynamodb, batch, cognito } = emulators;
  project.provide('awsEmulators', { s3, dynamodb, batch, cognito });
  return () => emulators.stop();
}
