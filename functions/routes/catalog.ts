/** GET /models: the catalog the dashboard builds its submit form from (GET /datasets is routes/datasets.ts). */
import { Hono } from 'hono';
import { FAMILIES } from '../../shared/catalog.ts';
import type { ApiEnv } from '../auth.ts';
import { hyperparameterSchema } from '../openapi.ts';

// The catalogs are constants of the deployed code; build their JSON once.
const models = FAMILIES.map((family) => {
  const { hyperparameters, ...info } = family;
  return {
    ...info,
    hyperparameters: hyperparameterSchema(family),
    defaults: hyperparameters.parse({}) as Record<string, unknown>,
  };
});

export function catalogRoutes() {
  return new Hono<ApiEnv>().get('/models', (c) => c.json({ models }));
}
