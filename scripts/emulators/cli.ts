/**
 * `npx tsx scripts/emulators/cli.ts setup`   make the emulators' Python environments (idempotent; .ci/run)
 * `npx tsx scripts/emulators/cli.ts start`   start LocalStack and moto on free loopback ports and print the
 *                                            variables that point `npm run test:integration` at them; Ctrl-C
 *                                            stops both
 * `npx tsx scripts/emulators/cli.ts health <localstack url> <moto url>`   exit 0 when both are healthy
 */
import { localstackHealthy, motoHealthy, startAwsEmulators } from './emulators.ts';
import { ensureVenvs } from './venv.ts';

const USAGE = 'usage: cli.ts setup | start | health <localstack url> <moto url>';

async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  const log = (line: string) => console.log(line);
  switch (command) {
    case 'setup': {
      const started = Date.now();
      const venvs = await ensureVenvs({ log });
      const dirs = [venvs.moto.dir, venvs.localstack?.dir ?? '(no LocalStack: Python 3.13+ not found)'];
      console.log(
        `emulators' environments ready: ${dirs.join(', ')} (${((Date.now() - started) / 1000).toFixed(1)} s)`,
      );
      return 0;
    }
    case 'start': {
      const emulators = await startAwsEmulators(await ensureVenvs({ log }), { log });
      console.log(`S3 ${emulators.s3}, DynamoDB and Batch ${emulators.moto} (logs in ${emulators.dir})`);
      if (emulators.localstack) {
        console.log(`export GANZOO_LOCALSTACK_URL=${emulators.localstack} GANZOO_MOTO_URL=${emulators.moto}`);
      } else {
        console.log(`export GANZOO_MOTO_URL=${emulators.moto}`);
      }
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await emulators.stop();
      return 0;
    }
    case 'health': {
      const [localstack, moto] = rest;
      if (!localstack || !moto) {
        console.error(USAGE);
        return 2;
      }
      const [ls, mt] = await Promise.all([
        localstackHealthy(localstack).catch(() => false),
        motoHealthy(moto).catch(() => false),
      ]);
      console.log(`LocalStack ${ls ? 'healthy' : 'not healthy'}, moto ${mt ? 'healthy' : 'not healthy'}`);
      return ls && mt ? 0 : 1;
    }
    default:
      console.error(USAGE);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(`error: ${err.message}`);
    process.exit(1);
  },
);
