/** Family id -> implementation. Exactly the catalog's families, checked at load. */
import { FAMILY_IDS, type FamilyId } from '../../shared/catalog.ts';
import type { GanFamily } from '../gan.ts';
import { biggan } from './biggan.ts';
import { cagan } from './cagan.ts';
import { cgan } from './cgan.ts';
import { cyclegan } from './cyclegan.ts';
import { dcgan } from './dcgan.ts';
import { hologan } from './hologan.ts';
import { infogan } from './infogan.ts';
import { pggan } from './pggan.ts';
import { pix2pix } from './pix2pix.ts';
import { presgan } from './presgan.ts';
import { sagan } from './sagan.ts';
import { singan } from './singan.ts';
import { sngan } from './sngan.ts';
import { spade } from './spade.ts';
import { srgan } from './srgan.ts';
import { stackgan } from './stackgan.ts';
import { stylegan } from './stylegan.ts';
import { unrolled } from './unrolled.ts';
import { vanilla } from './vanilla.ts';
import { wgan, wganGp } from './wgan.ts';

// biome-ignore lint/suspicious/noExplicitAny: each family's hyperparameter type is checked by its catalog schema
export const FAMILY_IMPLEMENTATIONS: Record<FamilyId, GanFamily<any>> = {
  vanilla,
  dcgan,
  cgan,
  unrolled,
  presgan,
  wgan,
  'wgan-gp': wganGp,
  sngan,
  infogan,
  pggan,
  stylegan,
  sagan,
  biggan,
  pix2pix,
  cyclegan,
  cagan,
  hologan,
  stackgan,
  srgan,
  singan,
  spade,
};

for (const id of FAMILY_IDS)
  if (!FAMILY_IMPLEMENTATIONS[id]) throw new Error(`catalog family '${id}' has no implementation`);

export function familyImplementation(id: FamilyId): GanFamily<Record<string, unknown>> {
  return FAMILY_IMPLEMENTATIONS[id];
}
