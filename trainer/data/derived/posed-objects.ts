/**
 * posed-objects (posed): three asymmetric objects made of boxes and a prism, seen from a camera at a recorded
 * azimuth (0-360 degrees about the vertical axis) and elevation, flat-shaded under a light fixed in the world,
 * drawn with a depth buffer at SUPERSAMPLE times the size and averaged down. Orthographic projection, y up.
 * The held-out copy ('test') draws its items from HELD_OUT_FIRST on, so its poses are new.
 */
import { datasetInfo } from '../../../shared/datasets.ts';
import { type DerivedGenerator, forEachItem, HELD_OUT_FIRST } from './generator.ts';
import { downsample, picture, type Rgb, toBytes } from './raster.ts';
import { imagePlane, valueColumn } from './store.ts';

type Vec = [number, number, number];
/** A triangle with its part's colour and outward normal. */
interface Face {
  a: Vec;
  b: Vec;
  c: Vec;
  colour: Rgb;
}

const sub = (p: Vec, q: Vec): Vec => [p[0] - q[0], p[1] - q[1], p[2] - q[2]];
const cross = (p: Vec, q: Vec): Vec => [
  p[1] * q[2] - p[2] * q[1],
  p[2] * q[0] - p[0] * q[2],
  p[0] * q[1] - p[1] * q[0],
];
const dot = (p: Vec, q: Vec) => p[0] * q[0] + p[1] * q[1] + p[2] * q[2];
const normalise = (p: Vec): Vec => {
  const n = Math.hypot(...p);
  return [p[0] / n, p[1] / n, p[2] / n];
};

/** A convex solid's faces as triangles, each wound so its normal points away from the solid's centre. */
function solid(corners: Vec[], quads: number[][], colour: Rgb): Face[] {
  const centre = corners
    .reduce((s, p) => [s[0] + p[0], s[1] + p[1], s[2] + p[2]] as Vec, [0, 0, 0] as Vec)
    .map((v) => v / corners.length) as Vec;
  const faces: Face[] = [];
  for (const q of quads) {
    for (let t = 1; t + 1 < q.length; t++) {
      let [a, b, c] = [corners[q[0]!]!, corners[q[t]!]!, corners[q[t + 1]!]!];
      if (dot(cross(sub(b, a), sub(c, a)), sub(a, centre)) < 0) [b, c] = [c, b];
      faces.push({ a, b, c, colour });
    }
  }
  return faces;
}

function box(min: Vec, max: Vec, colour: Rgb): Face[] {
  const corners: Vec[] = [];
  for (let i = 0; i < 8; i++)
    corners.push([i & 1 ? max[0] : min[0], i & 2 ? max[1] : min[1], i & 4 ? max[2] : min[2]]);
  const quads = [
    [0, 1, 3, 2],
    [4, 5, 7, 6],
    [0, 1, 5, 4],
    [2, 3, 7, 6],
    [0, 2, 6, 4],
    [1, 3, 7, 5],
  ];
  return solid(corners, quads, colour);
}

/** A gable roof along x: a triangular prism from y0 to the ridge at y1, over [x0, x1] x [z0, z1]. */
function roof(x0: number, x1: number, y0: number, y1: number, z0: number, z1: number, colour: Rgb): Face[] {
  const zm = (z0 + z1) / 2;
  const corners: Vec[] = [
    [x0, y0, z0],
    [x0, y0, z1],
    [x0, y1, zm],
    [x1, y0, z0],
    [x1, y0, z1],
    [x1, y1, zm],
  ];
  return solid(
    corners,
    [
      [0, 1, 2],
      [3, 4, 5],
      [0, 2, 5, 3],
      [1, 2, 5, 4],
      [0, 1, 4, 3],
    ],
    colour,
  );
}

/** The objects, in label order, each within about [-1, 1]^3 and standing on y = -0.7. */
export const OBJECTS: Face[][] = [
  // An L-shaped block: a long bar and an upright at one end.
  [
    ...box([-0.9, -0.7, -0.35], [0.9, -0.1, 0.35], [0.85, 0.3, 0.2]),
    ...box([0.3, -0.1, -0.35], [0.9, 0.9, 0.35], [0.85, 0.3, 0.2]),
  ],
  // A house: walls, a roof, a chimney off-centre on one slope, a door on the front only.
  [
    ...box([-0.7, -0.7, -0.5], [0.7, 0.2, 0.5], [0.9, 0.85, 0.65]),
    ...roof(-0.8, 0.8, 0.2, 0.75, -0.6, 0.6, [0.7, 0.2, 0.15]),
    ...box([0.3, 0.3, -0.4], [0.5, 0.9, -0.2], [0.45, 0.4, 0.4]),
    ...box([-0.45, -0.7, 0.5], [-0.15, -0.15, 0.56], [0.35, 0.2, 0.1]),
  ],
  // Three stairs rising along x, with a rail post at the top.
  [
    ...box([-0.9, -0.7, -0.5], [0.9, -0.3, 0.5], [0.3, 0.55, 0.85]),
    ...box([-0.3, -0.3, -0.5], [0.9, 0.1, 0.5], [0.3, 0.55, 0.85]),
    ...box([0.3, 0.1, -0.5], [0.9, 0.5, 0.5], [0.3, 0.55, 0.85]),
    ...box([0.75, 0.5, 0.35], [0.9, 1.0, 0.5], [0.95, 0.8, 0.2]),
  ],
];

const LIGHT: Vec = normalise([0.4, 0.8, 0.45]);
const AMBIENT = 0.35;
const BACKGROUND: Rgb = [0.12, 0.12, 0.14];
export const SUPERSAMPLE = 4;
/** World units from the centre to the image's edge. */
const HALF_VIEW = 1.45;

/** The object drawn from (azimuth, elevation) in degrees: size x size x 3 in [0, 1]. */
export function render(faces: Face[], azimuth: number, elevation: number, size: number) {
  const s = size * SUPERSAMPLE;
  const pic = picture(s, s, 3, BACKGROUND);
  const depth = new Float32Array(s * s).fill(Number.NEGATIVE_INFINITY);
  const az = (azimuth * Math.PI) / 180;
  const el = (elevation * Math.PI) / 180;
  // The camera circles the object: rotate the world by -azimuth about y, then tilt it by the elevation
  // about x, and look down -z.
  const view = (p: Vec): Vec => {
    const x = p[0] * Math.cos(az) - p[2] * Math.sin(az);
    const z = p[0] * Math.sin(az) + p[2] * Math.cos(az);
    const y = p[1] * Math.cos(el) - z * Math.sin(el);
    return [x, y, p[1] * Math.sin(el) + z * Math.cos(el)];
  };
  const toPixel = (p: Vec): Vec => [
    ((p[0] + HALF_VIEW) / (2 * HALF_VIEW)) * s,
    ((HALF_VIEW - p[1]) / (2 * HALF_VIEW)) * s,
    p[2],
  ];
  for (const f of faces) {
    const normal = normalise(cross(sub(f.b, f.a), sub(f.c, f.a)));
    const [a, b, c] = [f.a, f.b, f.c].map((p) => toPixel(view(p))) as [Vec, Vec, Vec];
    const area = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
    if (area === 0) continue;
    const shade = AMBIENT + (1 - AMBIENT) * Math.max(0, dot(normal, LIGHT));
    const rgb = [f.colour[0] * shade, f.colour[1] * shade, f.colour[2] * shade];
    const x0 = Math.max(0, Math.floor(Math.min(a[0], b[0], c[0])));
    const x1 = Math.min(s - 1, Math.ceil(Math.max(a[0], b[0], c[0])));
    const y0 = Math.max(0, Math.floor(Math.min(a[1], b[1], c[1])));
    const y1 = Math.min(s - 1, Math.ceil(Math.max(a[1], b[1], c[1])));
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const px = x + 0.5;
        const py = y + 0.5;
        // Barycentric weights; a pixel is inside when all three share the triangle's orientation.
        const wa = ((b[0] - px) * (c[1] - py) - (b[1] - py) * (c[0] - px)) / area;
        const wb = ((c[0] - px) * (a[1] - py) - (c[1] - py) * (a[0] - px)) / area;
        const wc = 1 - wa - wb;
        if (wa < 0 || wb < 0 || wc < 0) continue;
        const z = wa * a[2] + wb * b[2] + wc * c[2];
        if (z <= depth[y * s + x]!) continue;
        depth[y * s + x] = z;
        pic.data.set(rgb, (y * s + x) * 3);
      }
    }
  }
  return downsample(pic, SUPERSAMPLE);
}

export const posedObjects: DerivedGenerator = {
  // 2: the 'test' split draws its items from HELD_OUT_FIRST on (version 1 drew the training ones for both).
  version: 2,
  generate(seed, count, split = 'train') {
    const info = datasetInfo('posed-objects');
    const [size, , channels] = info.shape as [number, number, number];
    const { azimuth, elevation } = info.pose!;
    const x = imagePlane(count, [size, size, channels]);
    const labels = valueColumn(count, 1);
    const pose = valueColumn(count, 2);
    forEachItem(
      seed,
      count,
      (i, rng) => {
        const object = rng.int(OBJECTS.length);
        const az = azimuth[0] + (azimuth[1] - azimuth[0]) * rng.uniform();
        const el = elevation[0] + (elevation[1] - elevation[0]) * rng.uniform();
        toBytes(render(OBJECTS[object]!, az, el, size), x.data, i * size * size * channels);
        labels.data[i] = object;
        pose.data.set([az, el], i * 2);
      },
      split === 'test' ? HELD_OUT_FIRST : 0,
    );
    return { count, images: { x }, values: { labels, pose } };
  },
};
