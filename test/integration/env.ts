/**
 * Runs before each integration test file: points the AWS SDK at the suite's emulators through the
 * per-service endpoint variables only, as a deployment would point it at AWS.
 */
import { inject } from 'vitest';
import { endpointEnv } from '../../scripts/emulators/emulators.ts';

Object.assign(process.env, endpointEnv(inject('awsEmulators')));
