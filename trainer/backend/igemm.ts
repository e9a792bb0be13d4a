import { Worker } from 'node:worker_threads';
import { compileKernel } from './wat.ts';

/**
 * Convolutions with fused multiply-add on wasm, split over threads: the project's kernel (kernels/igemm.wat) on a
 * memory of its own. XNNPACK, as built into tfjs-backend-wasm 4.22, multiplies and adds separately
 * (baseline SIMD), which caps it near 8 flops a cycle; its threads also spin between operations, which would
 * take the core a helper here needs. So each call copies its input in and its output out (a few percent of
 * the conv's time) and the work is split by blocks of output rows over helper workers that run the same
 * module on the same shared memory, waiting on Atomics in between.
 */

/** A convolution as the kernel sees it: x [n, h, w, cin] read through filter [kh, kw, cin, cout]. */
export interface ConvGeometry {
  n: number;
  h: number;
  w: number;
  cin: number;
  ho: number;
  wo: number;
  kh: number;
  kw: number;
  cout: number;
  sh: number;
  sw: number;
  dh: number;
  dw: number;
  padTop: number;
  padLeft: number;
}

/**
 * How conv()'s operands come, when not as a conv has them: x as [cin, h, w, n] ('chwn': a weight gradient's
 * input, batch and channels swapped); the filter as [cout, kh*kw*cin] ('oi': a matMul's transposeB) or as
 * [cin, kh, kw, cout] ('ihwo': a weight gradient's dy). Read so in place of a transpose before the call.
 */
export interface ConvLayouts {
  x?: 'nhwc' | 'chwn';
  filter?: 'hwio' | 'oi' | 'ihwo';
}

export interface Igemm {
  threads: number;
  /** Whether conv runs this geometry (operands in these layouts), and is worth it. */
  covers(g: ConvGeometry, layouts?: ConvLayouts): boolean;
  /** out [n, ho, wo, cout] = x [n, h, w, cin] convolved with filter [kh, kw, cin, cout], plus bias [cout]. */
  conv(
    g: ConvGeometry,
    x: Float32Array,
    filter: Float32Array,
    bias: Float32Array | undefined,
    out: Float32Array,
    layouts?: ConvLayouts,
  ): void;
}

/** Output rows per block and columns per pass of the microkernel, as kernels/igemm.wat is written. */
export const ROWS = 6;
export const COLS = 8;

/**
 * Below this many multiply-adds, setting up (copies, indirection table, packed filter) costs more than it
 * saves; above this many patch values per output row, a block's packed patches no longer stay in cache (the
 * weight gradient of an image layer: 12,544), and XNNPACK is faster.
 */
const MIN_MACS = 1 << 18;
const MAX_PATCH = 4096;
/**
 * A 1x1 conv's (a matMul's) row is one run of memory, packed in one pass, and stays fast longer: a dense
 * layer's input gradient at 6,272 runs in 3.6 ms against 11 through a transpose and XNNPACK.
 */
const MAX_ROW = 8192;
/**
 * A weight gradient read in place (layouts 'chwn' / 'ihwo') is taken with longer patches: an image layer's
 * (12,544) would otherwise cost XNNPACK's conv plus transposing dy first. Measured per DCGAN step: 1.05-1.07x
 * on two threads, 1.00-1.02x on one.
 */
const MAX_GRADIENT_PATCH = 16384;
/** The memory's limit: 1 GiB (a DCGAN layer at batch 64 needs a few MB). */
const MAX_PAGES = 16384;
const PAGE = 65536;

/** Compiles the kernel once per thread count; a string says why it cannot run here. */
export function createIgemm(threads: number): Promise<Igemm | string> {
  let created = engines.get(threads);
  if (created == null) {
    created = create(threads);
    engines.set(threads, created);
  }
  return created;
}

const engines = new Map<number, Promise<Igemm | string>>();

type Kernel = (
  ind: number,
  taps: number,
  cin: number,
  bp: number,
  bias: number,
  outs: number,
  m: number,
  n: number,
  scratch: number,
) => void;

async function create(threads: number): Promise<Igemm | string> {
  const shared = threads > 1;
  const module = await compileKernel('igemm', { relaxedSimd: true, sharedMemory: shared });
  if (typeof module === 'string') return module;
  const memory = new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES, shared });
  const exports = new WebAssembly.Instance(module, { env: { memory } }).exports;
  const kernel = exports.igemm as Kernel;
  const packB = exports.packB as (
    src: number,
    dst: number,
    taps: number,
    cin: number,
    n: number,
    tapStride: number,
    inStride: number,
  ) => void;
  const packBT = exports.packBT as (src: number, dst: number, k: number, n: number) => void;
  const swapOuter = exports.swapOuter as (
    src: number,
    dst: number,
    na: number,
    np: number,
    nb: number,
  ) => void;
  const compact = exports.compact as (y: number, rows: number, padded: number, n: number) => void;
  const helpers = Array.from({ length: threads - 1 }, () => startHelper(module, memory));

  function conv(
    g: ConvGeometry,
    x: Float32Array,
    filter: Float32Array,
    bias: Float32Array | undefined,
    out: Float32Array,
    layouts: ConvLayouts = {},
  ): void {
    const l = layout(g, threads, layouts);
    const have = memory.buffer.byteLength;
    if (have < l.bytes) memory.grow(Math.ceil((l.bytes - have) / PAGE));
    const f32 = new Float32Array(memory.buffer);
    const i32 = new Int32Array(memory.buffer);
    if (layouts.x === 'chwn') {
      f32.set(x, l.xGiven / 4);
      // One image channel (g.n 1): [cin, h*w] to [h*w, cin], the same swap with the pixels as its inner axis.
      if (g.n === 1) swapOuter(l.xGiven, l.x, g.cin, 1, g.h * g.w);
      else swapOuter(l.xGiven, l.x, g.cin, g.h * g.w, g.n);
    } else {
      f32.set(x, l.x / 4);
    }
    f32.fill(0, l.zeros / 4, l.zeros / 4 + g.cin);
    if (bias) f32.set(bias, l.bias / 4);
    f32.fill(0, l.bias / 4 + (bias ? g.cout : 0), l.bias / 4 + l.n);
    f32.set(filter, l.filter / 4);
    const o = g.cout * 4;
    if (layouts.filter === 'oi') packBT(l.filter, l.packedB, l.k, g.cout);
    else if (layouts.filter === 'ihwo') packB(l.filter, l.packedB, l.taps, g.cin, g.cout, o, l.taps * o);
    else packB(l.filter, l.packedB, l.taps, g.cin, g.cout, g.cin * o, o);
    i32.set(addressTables(g, l), l.ind / 4);
    // Blocks split evenly: helpers take the first shares, this thread the last.
    const share = Math.ceil(l.blocks / threads);
    const range = (t: number): Parameters<Kernel> => {
      const first = t * share;
      const rows = Math.min(l.m, (first + share) * ROWS) - first * ROWS;
      return [
        l.ind + first * l.taps * ROWS * 4,
        l.taps,
        g.cin,
        l.packedB,
        l.bias,
        l.outs + first * ROWS * 4,
        rows,
        l.n,
        l.scratch + t * l.scratchBytes,
      ];
    };
    const ranges = Array.from({ length: threads }, (_, t) => range(t)).filter((r) => r[6] > 0);
    const mine = ranges.pop()!;
    const waits = ranges.map((r, t) => helpers[t]!.post(r));
    kernel(...mine);
    for (const wait of waits) wait();
    if (l.n !== g.cout) compact(l.y, l.m, l.n, g.cout);
    out.set(f32.subarray(l.y / 4, l.y / 4 + l.m * g.cout));
  }

  return {
    threads,
    covers: (g, layouts = {}) => {
      const k = g.kh * g.kw * g.cin;
      return (
        g.cin % 4 === 0 &&
        (layouts.x !== 'chwn' || g.n % 4 === 0 || (g.n === 1 && (g.h * g.w) % 4 === 0)) &&
        4 * g.cout >= 3 * paddedColumns(g.cout) &&
        g.n * g.ho * g.wo * k * g.cout >= MIN_MACS &&
        k <= (g.kh * g.kw === 1 ? MAX_ROW : layouts.filter === 'ihwo' ? MAX_GRADIENT_PATCH : MAX_PATCH) &&
        layout(g, threads, layouts).bytes <= MAX_PAGES * PAGE
      );
    },
    conv,
  };
}

/** Byte offsets of one call's areas in the memory, each 16-byte aligned for the vector loads. */
function layout(g: ConvGeometry, threads: number, layouts: ConvLayouts) {
  const m = g.n * g.ho * g.wo;
  const taps = g.kh * g.kw;
  const k = taps * g.cin;
  const blocks = Math.ceil(m / ROWS);
  let end = 0;
  const area = (floats: number) => {
    const at = end;
    end += Math.ceil(floats / 4) * 16;
    return at;
  };
  const scratchBytes = Math.ceil((k * ROWS) / 4) * 16;
  const n = paddedColumns(g.cout);
  return {
    m,
    taps,
    k,
    blocks,
    /** Output columns as computed: cout rounded up to whole passes of the microkernel. */
    n,
    x: area(g.n * g.h * g.w * g.cin),
    /** x as given when the kernel reads a transpose of it. */
    xGiven: area(layouts.x === 'chwn' ? g.n * g.h * g.w * g.cin : 0),
    /** What padding taps read. */
    zeros: area(g.cin),
    bias: area(n),
    /** The filter as given (B [k, cout] or its transpose; padded for the packing's reads past the end)... */
    filter: area(k * n + COLS),
    /** ...and packed as [n/8][k][8]. */
    packedB: area(k * n),
    ind: area(blocks * taps * ROWS),
    outs: area(blocks * ROWS),
    /** Rows of n floats; moved together to rows of cout when they differ. */
    y: area(m * n),
    /** Where the last block's rows past the end are written. */
    dump: area(n),
    scratch: area((threads * scratchBytes) / 4),
    scratchBytes,
    get bytes() {
      return end;
    },
  };
}

type Layout = ReturnType<typeof layout>;

/**
 * The microkernel writes 8 columns a pass, so cout is padded up to a multiple of 8; covers() allows at most a
 * quarter of padding (a matMul's 100 or 25 columns, not an image layer's 1).
 */
function paddedColumns(cout: number): number {
  return Math.ceil(cout / COLS) * COLS;
}

/**
 * The indirection and output tables, adjacent in the layout, as one array. They depend on the geometry
 * alone (the layout puts x and the output at the same places every time), so they are built once per
 * geometry: a training step repeats a few geometries many times.
 */
function addressTables(g: ConvGeometry, l: Layout): Int32Array {
  const key = Object.values(g).join();
  let tables = tablesByGeometry.get(key);
  if (tables == null) {
    tables = new Int32Array((l.y - l.ind) / 4);
    fillIndirection(tables.subarray(0, l.blocks * l.taps * ROWS), l.x, l.zeros, g);
    const outs = tables.subarray((l.outs - l.ind) / 4, (l.outs - l.ind) / 4 + l.blocks * ROWS).fill(l.dump);
    for (let row = 0; row < l.m; row++) outs[row] = l.y + row * l.n * 4;
    if (tablesByGeometry.size >= MAX_CACHED_GEOMETRIES) tablesByGeometry.clear();
    tablesByGeometry.set(key, tables);
  }
  return tables;
}

const tablesByGeometry = new Map<string, Int32Array>();
const MAX_CACHED_GEOMETRIES = 64;

/**
 * The address of each output row's input pixel for each tap, laid out [block][tap][row of 6]; taps that fall
 * in the padding (and the rows past the end in the last block) read zeros.
 */
function fillIndirection(table: Int32Array, xAddress: number, zeroAddress: number, g: ConvGeometry): void {
  const taps = g.kh * g.kw;
  const pixelBytes = g.cin * 4;
  const rowBytes = g.w * pixelBytes;
  table.fill(zeroAddress);
  let m = 0;
  for (let b = 0; b < g.n; b++) {
    for (let oh = 0; oh < g.ho; oh++) {
      for (let ow = 0; ow < g.wo; ow++, m++) {
        const block = (m / ROWS) | 0;
        let p = block * taps * ROWS + (m - block * ROWS);
        for (let fh = 0; fh < g.kh; fh++) {
          const ih = oh * g.sh - g.padTop + fh * g.dh;
          const inRows = ih >= 0 && ih < g.h;
          const rowAddress = xAddress + (b * g.h + ih) * rowBytes;
          for (let fw = 0; fw < g.kw; fw++, p += ROWS) {
            const iw = ow * g.sw - g.padLeft + fw * g.dw;
            if (inRows && iw >= 0 && iw < g.w) table[p] = rowAddress + iw * pixelBytes;
          }
        }
      }
    }
  }
}

/** Control words shared with a helper: job posted, job done, failure flag, then the job's arguments. */
const POSTED = 0;
const DONE = 1;
const FAILED = 2;
const ARGS = 3;
const ARG_COUNT = 9;

/**
 * A worker running the kernel on the shared memory: post() hands it a job and returns the wait for it. It
 * is unreferenced, so it never keeps the process alive.
 */
function startHelper(module: WebAssembly.Module, memory: WebAssembly.Memory) {
  const control = new Int32Array(new SharedArrayBuffer(4 * (ARGS + ARG_COUNT)));
  new Worker(HELPER, { eval: true, workerData: { module, memory, control } }).unref();
  let job = 0;
  return {
    post(args: Parameters<Kernel>): () => void {
      control.set(args, ARGS);
      const posted = ++job;
      Atomics.store(control, POSTED, posted);
      Atomics.notify(control, POSTED);
      return () => {
        while (Atomics.load(control, DONE) !== posted) Atomics.wait(control, DONE, posted - 1, 1000);
        if (Atomics.load(control, FAILED) !== 0) throw new Error('a convolution helper thread failed');
      };
    },
  };
}

/** The helper's script: run each posted job, mark it done. */
const HELPER = `
const { workerData } = require('node:worker_threads');
const { module, memory, control } = workerData;
const kernel = new WebAssembly.Instance(module, { env: { memory } }).exports.igemm;
let seen = 0;
for (;;) {
  Atomics.wait(control, ${POSTED}, seen);
  seen = Atomics.load(control, ${POSTED});
  try {
    kernel(...control.subarray(${ARGS}, ${ARGS + ARG_COUNT}));
  } catch {
    Atomics.store(control, ${FAILED}, 1);
  }
  Atomics.store(control, ${DONE}, seen);
  Atomics.notify(control, ${DONE});
}
`;
