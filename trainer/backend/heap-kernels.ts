import type * as tf from '@tensorflow/tfjs';
import { addressOf } from './wasm-heap.ts';
import { compileWat } from './wat.ts';

/**
 * Element-wise and reduction kernels in wasm SIMD that work in place on the wasm backend's own memory: no
 * copies in or out, on the calling thread. JS loops over the heap run at 2-4 ns an element here, wasm's SIMD
 * kernels near 0.6; these are the passes tfjs has no single kernel for.
 */
export interface HeapKernels {
  /** out[c] = scale * sum over rows r of x[r * inner + c], summed in float64. */
  sumRows(x: tf.TensorInfo, out: tf.TensorInfo, rows: number, inner: number, scale: number): void;
  /**
   * Batch norm with given statistics over the last axis (c channels): out = (x - mean) * a + b, with a =
   * scale / sqrt(variance + epsilon) and b the offset, per channel.
   */
  channelAffine(
    x: tf.TensorInfo,
    out: tf.TensorInfo,
    perChannel: { mean: Float32Array; a: Float32Array; b: Float32Array },
  ): void;
  /** out[outOffset + o*rows + r] = x[xOffset + r*cols + o]: a [rows, cols] block transposed (offsets in floats). */
  transposeBlock(
    x: tf.TensorInfo,
    xOffset: number,
    out: tf.TensorInfo,
    outOffset: number,
    rows: number,
    cols: number,
  ): void;
  /** out = x where x > 0, else alpha * x (NaN stays NaN). */
  leakyRelu(x: tf.TensorInfo, out: tf.TensorInfo, alpha: number): void;
  /**
   * One Adam update of a variable, in the order and float32 rounding of tfjs's AdamOptimizer: m' = m b1 +
   * g (1 - b1); s' = s b2 + g^2 (1 - b2); v' = (m'/c1) / (sqrt(s'/c2) + eps) * -lr + v, c1 and c2 the bias
   * corrections 1 - b1^t and 1 - b2^t.
   */
  adam(
    io: { v: tf.TensorInfo; m: tf.TensorInfo; s: tf.TensorInfo; g: tf.TensorInfo },
    out: { v: tf.TensorInfo; m: tf.TensorInfo; s: tf.TensorInfo },
    h: { beta1: number; beta2: number; c1: number; c2: number; epsilon: number; learningRate: number },
  ): void;
  /**
   * Adds patch rows back onto dx [n, h, w, c] (which the caller zeroes): cols has one row per output pixel
   * (n, i, j) of batch items [n0, n1) and columns (kh, kw, c), as dy x w^T gives them; the adjoint of
   * gathering those patches (a conv's input gradient).
   */
  col2im(cols: tf.TensorInfo, dx: tf.TensorInfo, g: PatchGeometry, n0: number, n1: number): void;
  /**
   * Copies x [outer, inner, pixel floats] into out with strides (in floats) between its outer and inner
   * steps, starting at offset: one output phase of a strided transposed conv into its place.
   */
  weave(
    x: tf.TensorInfo,
    out: tf.TensorInfo,
    at: {
      offset: number;
      outer: number;
      inner: number;
      pixel: number;
      outerStride: number;
      innerStride: number;
    },
  ): void;
}

/** Geometry of a 2-D convolution over NHWC data, stride and padding per axis. */
export interface PatchGeometry {
  h: number;
  w: number;
  c: number;
  kh: number;
  kw: number;
  sh: number;
  sw: number;
  padTop: number;
  padLeft: number;
  ho: number;
  wo: number;
}

interface Backend {
  wasm: { asm?: { memory?: WebAssembly.Memory }; _malloc(bytes: number): number; _free(at: number): void };
}

let kernels: HeapKernels | undefined;

/** The kernels in use, or undefined (another backend, or they could not be built). */
export function heapKernels(): HeapKernels | undefined {
  return kernels;
}

/** Turns the kernels on, or off with undefined (tests compare both routes). */
export function useHeapKernels(k: HeapKernels | undefined): void {
  kernels = k;
}

/** Builds the kernels on the wasm backend's memory, once per memory; a string says why they cannot run. */
export async function loadHeapKernels(backend: tf.KernelBackend): Promise<HeapKernels | string> {
  const wasm = (backend as unknown as Backend).wasm;
  const memory = wasm?.asm?.memory;
  if (!(memory instanceof WebAssembly.Memory)) return 'off: the wasm backend exports no memory';
  const cached = built.get(memory);
  if (cached != null) return cached;
  const module = await compileWat('heap-kernels.wat', WAT);
  if (typeof module === 'string') return `off: ${module}`;
  const e = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as Exports;
  const at = (info: tf.TensorInfo) => addressOf(backend, info);
  const made: HeapKernels = {
    sumRows(x, out, rows, inner, scale) {
      const acc = wasm._malloc(inner * 8);
      try {
        e.sumRows(at(x), at(out), acc, rows, inner, scale);
      } finally {
        wasm._free(acc);
      }
    },
    channelAffine(x, out, { mean, a, b }) {
      const c = mean.length;
      const vectors = wasm._malloc(12 * c);
      try {
        // A view after the allocation, which may have grown the memory.
        const f32 = new Float32Array(memory.buffer, vectors, 3 * c);
        f32.set(mean);
        f32.set(a, c);
        f32.set(b, 2 * c);
        e.channelAffine(at(x), at(out), vectors, sizeOf(x) / c, c);
      } finally {
        wasm._free(vectors);
      }
    },
    transposeBlock(x, xOffset, out, outOffset, rows, cols) {
      e.transposeBlock(at(x) + 4 * xOffset, at(out) + 4 * outOffset, rows, cols);
    },
    leakyRelu(x, out, alpha) {
      e.leakyRelu(at(x), at(out), sizeOf(x), Math.fround(alpha));
    },
    adam(io, out, h) {
      const f = Math.fround;
      e.adam(
        ...([io.v, io.m, io.s, io.g, out.v, out.m, out.s].map(at) as Seven),
        sizeOf(io.v),
        ...([h.beta1, 1 - h.beta1, h.beta2, 1 - h.beta2, h.c1, h.c2, h.epsilon, -h.learningRate].map(
          f,
        ) as Eight),
      );
    },
    col2im(cols, dx, g, n0, n1) {
      e.col2im(
        at(cols),
        at(dx),
        n0,
        n1,
        g.h,
        g.w,
        g.c,
        g.kh,
        g.kw,
        g.sh,
        g.sw,
        g.padTop,
        g.padLeft,
        g.ho,
        g.wo,
      );
    },
    weave(x, out, w) {
      e.weave(
        at(x),
        at(out) + 4 * w.offset,
        w.outer,
        w.inner,
        4 * w.pixel,
        4 * w.outerStride,
        4 * w.innerStride,
      );
    },
  };
  built.set(memory, made);
  return made;
}

const built = new WeakMap<WebAssembly.Memory, HeapKernels>();

const sizeOf = (info: tf.TensorInfo) => info.shape.reduce((p, d) => p * d, 1);

type Seven = [number, number, number, number, number, number, number];
type Eight = [number, number, number, number, number, number, number, number];
interface Exports {
  sumRows(x: number, out: number, acc: number, rows: number, inner: number, scale: number): void;
  leakyRelu(x: number, out: number, n: number, alpha: number): void;
  transposeBlock(x: number, out: number, rows: number, cols: number): void;
  channelAffine(x: number, out: number, vectors: number, pixels: number, c: number): void;
  adam(...args: [...Seven, number, ...Eight]): void;
  col2im(cols: number, dx: number, ...geometry: number[]): void;
  weave(
    x: number,
    out: number,
    outer: number,
    inner: number,
    bytes: number,
    outerStride: number,
    innerStride: number,
  ): void;
}

/** A loop over i from 0 while i < end, stepping by step (all i32 locals). */
const loop = (label: string, i: string, end: string, step: number, body: string) => `
    (block $${label}_done (loop $${label}
      (br_if $${label}_done (i32.ge_u (local.get $${i}) (local.get $${end})))
      ${body}
      (local.set $${i} (i32.add (local.get $${i}) (i32.const ${step})))
      (br $${label})))`;

const get = (name: string) => `(local.get $${name})`;
/** The four lanes' high half moved down, for promoting lanes 2 and 3 to float64. */
const HIGH = 'i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7';

/** Adam's update of one value (f32) or four (f32x4) at byte offset i, as tfjs's ops do it: no fused multiply-add. */
const adamBody = (t: 'f32' | 'f32x4') => {
  const one = t === 'f32';
  const memory = one ? 'f32' : 'v128';
  const at = (p: string) => `(i32.add ${get(p)} ${get('i')})`;
  const load = (p: string) => `(${memory}.load ${at(p)})`;
  const c = (name: string) => (one ? get(name) : `(f32x4.splat ${get(name)})`);
  const op = (o: string, ...args: string[]) => `(${t}.${o} ${args.join(' ')})`;
  const [g, m, s] = ['g', 'm', 's'].map((x) => `${x}${one ? '1' : '4'}`) as [string, string, string];
  const update = op(
    'add',
    op(
      'mul',
      op('div', op('div', get(m), c('c1')), op('add', op('sqrt', op('div', get(s), c('c2'))), c('eps'))),
      c('nlr'),
    ),
    load('v'),
  );
  return `(local.set $${g} ${load('g')})
      (local.set $${m} ${op('add', op('mul', load('m'), c('b1')), op('mul', get(g), c('k1')))})
      (local.set $${s} ${op('add', op('mul', load('s'), c('b2')), op('mul', op('mul', get(g), get(g)), c('k2')))})
      (${memory}.store ${at('mo')} ${get(m)})
      (${memory}.store ${at('so')} ${get(s)})
      (${memory}.store ${at('vo')} ${update})`;
};

const WAT = `(module
  (import "env" "memory" (memory 1))
  (func (export "sumRows") (param $x i32) (param $out i32) (param $acc i32) (param $rows i32) (param $inner i32)
      (param $scale f64)
    (local $r i32) (local $c i32) (local $vec i32) (local $p i32) (local $a i32) (local $v v128)
    (local.set $vec (i32.and ${get('inner')} (i32.const -4)))
    (memory.fill ${get('acc')} (i32.const 0) (i32.shl ${get('inner')} (i32.const 3)))
    (local.set $p ${get('x')})
    ${loop(
      'rows',
      'r',
      'rows',
      1,
      `(local.set $c (i32.const 0))
      (local.set $a ${get('acc')})
      ${loop(
        'cols',
        'c',
        'vec',
        4,
        `(local.set $v (v128.load ${get('p')}))
        (v128.store ${get('a')} (f64x2.add (v128.load ${get('a')}) (f64x2.promote_low_f32x4 ${get('v')})))
        (v128.store offset=16 ${get('a')} (f64x2.add (v128.load offset=16 ${get('a')})
          (f64x2.promote_low_f32x4 (${HIGH} ${get('v')} ${get('v')}))))
        (local.set $p (i32.add ${get('p')} (i32.const 16)))
        (local.set $a (i32.add ${get('a')} (i32.const 32)))`,
      )}
      ${loop(
        'tail',
        'c',
        'inner',
        1,
        `(f64.store ${get('a')} (f64.add (f64.load ${get('a')}) (f64.promote_f32 (f32.load ${get('p')}))))
        (local.set $p (i32.add ${get('p')} (i32.const 4)))
        (local.set $a (i32.add ${get('a')} (i32.const 8)))`,
      )}`,
    )}
    (local.set $c (i32.const 0))
    ${loop(
      'out',
      'c',
      'inner',
      1,
      `(f32.store (i32.add ${get('out')} (i32.shl ${get('c')} (i32.const 2)))
        (f32.demote_f64 (f64.mul ${get('scale')} (f64.load (i32.add ${get('acc')} (i32.shl ${get('c')} (i32.const 3)))))))`,
    )})

  (func (export "channelAffine") (param $x i32) (param $out i32) (param $vectors i32) (param $pixels i32)
      (param $c i32)
    (local $p i32) (local $k i32) (local $vec i32) (local $bytes i32) (local $mean i32) (local $a i32) (local $b i32)
    (local.set $bytes (i32.shl ${get('c')} (i32.const 2)))
    (local.set $vec (i32.and ${get('bytes')} (i32.const -16)))
    ${loop(
      'pixels',
      'p',
      'pixels',
      1,
      `(local.set $mean ${get('vectors')})
      (local.set $a (i32.add ${get('vectors')} ${get('bytes')}))
      (local.set $b (i32.add ${get('a')} ${get('bytes')}))
      (local.set $k (i32.const 0))
      ${loop(
        'vec',
        'k',
        'vec',
        16,
        `(v128.store (i32.add ${get('out')} ${get('k')})
          (f32x4.add (f32x4.mul (f32x4.sub (v128.load (i32.add ${get('x')} ${get('k')})) (v128.load (i32.add ${get('mean')} ${get('k')})))
            (v128.load (i32.add ${get('a')} ${get('k')}))) (v128.load (i32.add ${get('b')} ${get('k')}))))`,
      )}
      ${loop(
        'one',
        'k',
        'bytes',
        4,
        `(f32.store (i32.add ${get('out')} ${get('k')})
          (f32.add (f32.mul (f32.sub (f32.load (i32.add ${get('x')} ${get('k')})) (f32.load (i32.add ${get('mean')} ${get('k')})))
            (f32.load (i32.add ${get('a')} ${get('k')}))) (f32.load (i32.add ${get('b')} ${get('k')}))))`,
      )}
      (local.set $x (i32.add ${get('x')} ${get('bytes')}))
      (local.set $out (i32.add ${get('out')} ${get('bytes')}))`,
    )})

  (func (export "transposeBlock") (param $x i32) (param $out i32) (param $rows i32) (param $cols i32)
    (local $o i32) (local $r i32) (local $src i32) (local $rowBytes i32)
    (local.set $rowBytes (i32.shl ${get('cols')} (i32.const 2)))
    ${loop(
      'cols',
      'o',
      'cols',
      1,
      `(local.set $src (i32.add ${get('x')} (i32.shl ${get('o')} (i32.const 2))))
      (local.set $r (i32.const 0))
      ${loop(
        'rows',
        'r',
        'rows',
        1,
        `(f32.store ${get('out')} (f32.load ${get('src')}))
        (local.set $out (i32.add ${get('out')} (i32.const 4)))
        (local.set $src (i32.add ${get('src')} ${get('rowBytes')}))`,
      )}`,
    )})

  (func (export "leakyRelu") (param $x i32) (param $out i32) (param $n i32) (param $alpha f32)
    (local $i i32) (local $vec i32) (local $end i32) (local $v v128) (local $a v128) (local $one f32)
    (local.set $vec (i32.shl (i32.and ${get('n')} (i32.const -4)) (i32.const 2)))
    (local.set $end (i32.shl ${get('n')} (i32.const 2)))
    (local.set $a (f32x4.splat ${get('alpha')}))
    ${loop(
      'vec',
      'i',
      'vec',
      16,
      `(local.set $v (v128.load (i32.add ${get('x')} ${get('i')})))
      (v128.store (i32.add ${get('out')} ${get('i')})
        (v128.bitselect ${get('v')} (f32x4.mul ${get('v')} ${get('a')}) (f32x4.gt ${get('v')} (v128.const f32x4 0 0 0 0))))`,
    )}
    ${loop(
      'one',
      'i',
      'end',
      4,
      `(local.set $one (f32.load (i32.add ${get('x')} ${get('i')})))
      (f32.store (i32.add ${get('out')} ${get('i')})
        (select ${get('one')} (f32.mul ${get('one')} ${get('alpha')}) (f32.gt ${get('one')} (f32.const 0))))`,
    )})

  (func (export "adam") (param $v i32) (param $m i32) (param $s i32) (param $g i32)
      (param $vo i32) (param $mo i32) (param $so i32) (param $n i32)
      (param $b1 f32) (param $k1 f32) (param $b2 f32) (param $k2 f32) (param $c1 f32) (param $c2 f32)
      (param $eps f32) (param $nlr f32)
    (local $i i32) (local $vec i32) (local $end i32)
    (local $g4 v128) (local $m4 v128) (local $s4 v128) (local $g1 f32) (local $m1 f32) (local $s1 f32)
    (local.set $vec (i32.shl (i32.and ${get('n')} (i32.const -4)) (i32.const 2)))
    (local.set $end (i32.shl ${get('n')} (i32.const 2)))
    ${loop('vec', 'i', 'vec', 16, adamBody('f32x4'))}
    ${loop('one', 'i', 'end', 4, adamBody('f32'))})

  (func (export "col2im") (param $cols i32) (param $dx i32) (param $n i32) (param $n1 i32) (param $h i32)
      (param $w i32) (param $c i32) (param $kh i32) (param $kw i32) (param $sh i32) (param $sw i32)
      (param $padTop i32) (param $padLeft i32) (param $ho i32) (param $wo i32)
    (local $p i32) (local $end i32) (local $plane i32) (local $i i32) (local $j i32) (local $a i32) (local $b i32)
    (local $y i32) (local $x i32) (local $k i32) (local $bytes i32) (local $dst i32)
    (local.set $bytes (i32.shl ${get('c')} (i32.const 2)))
    ;; One loop over the output pixels (n, i, j) of items [n, n1), one patch row each.
    (local.set $plane (i32.mul ${get('ho')} ${get('wo')}))
    (local.set $p (i32.mul ${get('n')} ${get('plane')}))
    (local.set $end (i32.mul ${get('n1')} ${get('plane')}))
    ${loop(
      'pixels',
      'p',
      'end',
      1,
      `(local.set $n (i32.div_u ${get('p')} ${get('plane')}))
      (local.set $i (i32.rem_u (i32.div_u ${get('p')} ${get('wo')}) ${get('ho')}))
      (local.set $j (i32.rem_u ${get('p')} ${get('wo')}))
      (local.set $a (i32.const 0))
      ${loop(
        'taprows',
        'a',
        'kh',
        1,
        `(local.set $y (i32.add (i32.sub (i32.mul ${get('i')} ${get('sh')}) ${get('padTop')}) ${get('a')}))
        (local.set $b (i32.const 0))
        ${loop(
          'taps',
          'b',
          'kw',
          1,
          `(local.set $x (i32.add (i32.sub (i32.mul ${get('j')} ${get('sw')}) ${get('padLeft')}) ${get('b')}))
          ;; unsigned: a negative row or column is out of range too
          (if (i32.and (i32.lt_u ${get('y')} ${get('h')}) (i32.lt_u ${get('x')} ${get('w')}))
            (then
              (local.set $dst (i32.add ${get('dx')} (i32.mul ${get('bytes')}
                (i32.add (i32.mul (i32.add (i32.mul ${get('n')} ${get('h')}) ${get('y')}) ${get('w')}) ${get('x')}))))
              (local.set $k (i32.const 0))
              ${loop(
                'channels',
                'k',
                'bytes',
                4,
                `(f32.store (i32.add ${get('dst')} ${get('k')})
                  (f32.add (f32.load (i32.add ${get('dst')} ${get('k')})) (f32.load (i32.add ${get('cols')} ${get('k')}))))`,
              )}))
          (local.set $cols (i32.add ${get('cols')} ${get('bytes')}))`,
        )}`,
      )}`,
    )})

  (func (export "weave") (param $x i32) (param $out i32) (param $outer i32) (param $inner i32) (param $bytes i32)
      (param $outerStride i32) (param $innerStride i32)
    (local $o i32) (local $j i32) (local $d i32) (local $k i32) (local $vec i32)
    (local.set $vec (i32.and ${get('bytes')} (i32.const -16)))
    ${loop(
      'outer',
      'o',
      'outer',
      1,
      `(local.set $d (i32.add ${get('out')} (i32.mul ${get('o')} ${get('outerStride')})))
      (local.set $j (i32.const 0))
      ${loop(
        'inner',
        'j',
        'inner',
        1,
        `(local.set $k (i32.const 0))
        ${loop('vec', 'k', 'vec', 16, `(v128.store (i32.add ${get('d')} ${get('k')}) (v128.load (i32.add ${get('x')} ${get('k')})))`)}
        (memory.copy (i32.add ${get('d')} ${get('vec')}) (i32.add ${get('x')} ${get('vec')}) (i32.sub ${get('bytes')} ${get('vec')}))
        (local.set $x (i32.add ${get('x')} ${get('bytes')}))
        (local.set $d (i32.add ${get('d')} ${get('innerStride')}))`,
      )}`,
    )}))
`;
