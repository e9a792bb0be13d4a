/**
 * The kinds of dataset a user may upload and the layout each is laid out as. No zod: the dashboard's
 * bundle imports these values (shared/uploads.ts builds its schemas on them).
 */
import type { DatasetKind } from './datasets.ts';

export const UPLOAD_LAYOUTS = ['flat', 'classes', 'pairs'] as const;
export type UploadLayout = (typeof UPLOAD_LAYOUTS)[number];

export const UPLOAD_KINDS = [
  'images',
  'labelled',
  'paired',
  'unpaired',
  'single',
] as const satisfies readonly DatasetKind[];
export type UploadKind = (typeof UPLOAD_KINDS)[number];
export const LAYOUT_OF_KIND: Record<UploadKind, UploadLayout> = {
  images: 'flat',
  labelled: 'classes',
  paired: 'pairs',
  unpaired: 'pairs',
  // One image at the top of the upload (SinGAN's data).
  single: 'flat',
};
