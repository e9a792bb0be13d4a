import { beforeAll } from 'vitest';
import { initBackend } from '../backend/index.ts';
import { familyContract } from './contract-tests.ts';

beforeAll(async () => {
  await initBackend('wasm');
});

familyContract('pix2pix', 'edges2digits', undefined, ['D(x)', 'D(G(x))', 'L1']);
familyContract('cyclegan', 'digits2mnistm', undefined, [
  'loss/D_A',
  'loss/D_B',
  'G/adversarial',
  'G/cycle',
  'G/identity',
]);
