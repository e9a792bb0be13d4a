/**
 * The text of the project's convolution kernel, a small wasm module (see igemm.ts for how it is driven).
 *
 * Row m of the output, n floats at the address outs[m], = bias + sum over taps t and channels c of
 * A(m, t)[c] * B[t*cin + c, 0..n), where A(m, t) is the address of cin consecutive floats (an input pixel, or
 * zeros for padding) read from an indirection table [block of 6 rows][tap][row], so the patches are never
 * copied out whole (an "indirect GEMM"). Per block of 6 rows the patches are packed into a scratch
 * [taps*cin][6], then every 8 columns take one pass of 12 accumulators over it, with B packed as
 * [n/8][taps*cin][8], using relaxed SIMD's f32x4.relaxed_madd (one FMA instruction on x86 and ARM). Both
 * tables cover whole blocks: rows past m read zeros and are written to a row nobody reads, which keeps row
 * counts out of the loop.
 */

/** Output rows per block and columns per pass of the microkernel. */
export const ROWS = 6;
export const COLS = 8;

const lanes = (ls: number[]) => ls.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3]).join(' ');
const rows = (f: (r: number) => string) => Array.from({ length: ROWS }, (_, r) => f(r)).join('\n');

/** Row r of a block's 8 columns, from its two accumulators, at the row's address plus the column offset. */
const storeRow = (r: number) =>
  [0, 16]
    .map(
      (offset, v) =>
        `(v128.store offset=${offset} (i32.add (i32.load offset=${r * 4} (local.get $outs)) (local.get $col))` +
        ` (local.get $acc${r}${'ab'[v]}))`,
    )
    .join('\n      ');

/** The module's text; it imports its memory (shared when threads split the work). */
export function igemmWat(sharedMemory: boolean): string {
  return `(module
  (import "env" "memory" (memory 1 65536 ${sharedMemory ? 'shared' : ''}))
  (func (export "igemm") (param $ind i32) (param $taps i32) (param $cin i32) (param $bp i32) (param $bias i32)
      (param $outs i32) (param $m i32) (param $n i32) (param $scratch i32)
    (local $k i32)
    (local.set $k (i32.mul (local.get $taps) (local.get $cin)))
    (loop $blocks
      (call $pack (local.get $ind) (local.get $taps) (local.get $cin) (local.get $scratch))
      (call $multiply (local.get $scratch) (local.get $k) (local.get $bp) (local.get $bias) (local.get $outs)
        (local.get $n))
      (local.set $ind (i32.add (local.get $ind) (i32.mul (local.get $taps) (i32.const ${ROWS * 4}))))
      (local.set $outs (i32.add (local.get $outs) (i32.const ${ROWS * 4})))
      (local.set $m (i32.sub (local.get $m) (i32.const ${ROWS})))
      (br_if $blocks (i32.gt_s (local.get $m) (i32.const 0)))))

  ;; B, rows k = (tap t, channel i) at src + t*tapStride + i*inStride bytes, n floats each, packed as
  ;; [n/8][k][8]: the layout $multiply reads. Row-major B [k][n] (a filter [kh, kw, cin, cout]) has
  ;; tapStride = cin*n*4 and inStride = n*4; a filter given as [cin, kh, kw, cout] (a weight gradient's dy)
  ;; has tapStride = n*4 and inStride = taps*n*4. A last partial panel reads up to 7 floats past a row; what
  ;; lands in its padding columns only reaches output columns never read.
  (func (export "packB") (param $src i32) (param $dst i32) (param $taps i32) (param $cin i32) (param $n i32)
      (param $tapStride i32) (param $inStride i32)
    (local $j i32) (local $t i32) (local $s i32) (local $left i32)
    (loop $panels
      (local.set $t (i32.const 0))
      (loop $tapRows
        (local.set $s (i32.add (i32.add (local.get $src) (i32.shl (local.get $j) (i32.const 2)))
          (i32.mul (local.get $t) (local.get $tapStride))))
        (local.set $left (local.get $cin))
        (loop $rows
          (v128.store offset=0 (local.get $dst) (v128.load offset=0 (local.get $s)))
          (v128.store offset=16 (local.get $dst) (v128.load offset=16 (local.get $s)))
          (local.set $s (i32.add (local.get $s) (local.get $inStride)))
          (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
          (local.set $left (i32.sub (local.get $left) (i32.const 1)))
          (br_if $rows (local.get $left)))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br_if $tapRows (i32.lt_u (local.get $t) (local.get $taps))))
      (local.set $j (i32.add (local.get $j) (i32.const ${COLS})))
      (br_if $panels (i32.lt_u (local.get $j) (local.get $n)))))

  ;; dst [b][p][a] = src [a][p][b] for a < na, p < np, b < nb (na and nb multiples of 4), 4x4 blocks
  ;; transposed in registers: x given as [cin, h, w, n] (a weight gradient's input) to [n, h, w, cin].
  (func (export "swapOuter") (param $src i32) (param $dst i32) (param $na i32) (param $np i32) (param $nb i32)
    (local $p i32) (local $a i32) (local $b i32) (local $s i32) (local $d i32)
    (local $sStride i32) (local $dStride i32)
    (local $R0 v128) (local $R1 v128) (local $R2 v128) (local $R3 v128)
    (local $T0 v128) (local $T1 v128) (local $T2 v128) (local $T3 v128)
    (local.set $sStride (i32.shl (i32.mul (local.get $np) (local.get $nb)) (i32.const 2)))
    (local.set $dStride (i32.shl (i32.mul (local.get $np) (local.get $na)) (i32.const 2)))
    (loop $pixels
      (local.set $a (i32.const 0))
      (loop $as
        (local.set $s (i32.add (local.get $src) (i32.shl (i32.mul (i32.add (i32.mul (local.get $a) (local.get $np))
          (local.get $p)) (local.get $nb)) (i32.const 2))))
        (local.set $d (i32.add (local.get $dst) (i32.shl (i32.add (i32.mul (local.get $p) (local.get $na))
          (local.get $a)) (i32.const 2))))
        (local.set $b (local.get $nb))
        (loop $bs
          (local.set $R0 (v128.load (local.get $s)))
          (local.set $R1 (v128.load (i32.add (local.get $s) (local.get $sStride))))
          (local.set $R2 (v128.load (i32.add (local.get $s) (i32.shl (local.get $sStride) (i32.const 1)))))
          (local.set $R3 (v128.load (i32.add (local.get $s) (i32.mul (local.get $sStride) (i32.const 3)))))
          (local.set $T0 (i8x16.shuffle ${lanes([0, 4, 1, 5])} (local.get $R0) (local.get $R1)))
          (local.set $T1 (i8x16.shuffle ${lanes([2, 6, 3, 7])} (local.get $R0) (local.get $R1)))
          (local.set $T2 (i8x16.shuffle ${lanes([0, 4, 1, 5])} (local.get $R2) (local.get $R3)))
          (local.set $T3 (i8x16.shuffle ${lanes([2, 6, 3, 7])} (local.get $R2) (local.get $R3)))
          (v128.store (local.get $d) (i8x16.shuffle ${lanes([0, 1, 4, 5])} (local.get $T0) (local.get $T2)))
          (v128.store (i32.add (local.get $d) (local.get $dStride))
            (i8x16.shuffle ${lanes([2, 3, 6, 7])} (local.get $T0) (local.get $T2)))
          (v128.store (i32.add (local.get $d) (i32.shl (local.get $dStride) (i32.const 1)))
            (i8x16.shuffle ${lanes([0, 1, 4, 5])} (local.get $T1) (local.get $T3)))
          (v128.store (i32.add (local.get $d) (i32.mul (local.get $dStride) (i32.const 3)))
            (i8x16.shuffle ${lanes([2, 3, 6, 7])} (local.get $T1) (local.get $T3)))
          (local.set $s (i32.add (local.get $s) (i32.const 16)))
          (local.set $d (i32.add (local.get $d) (i32.shl (local.get $dStride) (i32.const 2))))
          (local.set $b (i32.sub (local.get $b) (i32.const 4)))
          (br_if $bs (local.get $b)))
        (local.set $a (i32.add (local.get $a) (i32.const 4)))
        (br_if $as (i32.lt_u (local.get $a) (local.get $na))))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br_if $pixels (i32.lt_u (local.get $p) (local.get $np)))))

  ;; The same packing from B's transpose, [n][k] row-major (a matMul's second operand with transposeB).
  (func (export "packBT") (param $src i32) (param $dst i32) (param $k i32) (param $n i32)
    (local $j i32) (local $s i32) (local $left i32) (local $stride i32)
    (local.set $stride (i32.shl (local.get $k) (i32.const 2)))
    (loop $panels
      (local.set $s (i32.add (local.get $src) (i32.mul (local.get $j) (local.get $stride))))
      (local.set $left (local.get $k))
      (loop $rows
        ${Array.from(
          { length: COLS },
          (_, c) =>
            `(f32.store offset=${c * 4} (local.get $dst) (f32.load (i32.add (local.get $s) (i32.mul (local.get $stride) (i32.const ${c})))))`,
        ).join('\n        ')}
        (local.set $s (i32.add (local.get $s) (i32.const 4)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
        (local.set $left (i32.sub (local.get $left) (i32.const 1)))
        (br_if $rows (local.get $left)))
      (local.set $j (i32.add (local.get $j) (i32.const ${COLS})))
      (br_if $panels (i32.lt_u (local.get $j) (local.get $n)))))

  ;; Rows of n floats written at a stride of padded floats, moved together in place (row 0 stays).
  (func (export "compact") (param $y i32) (param $rows i32) (param $padded i32) (param $n i32)
    (local $src i32) (local $dst i32) (local $c i32) (local $skip i32)
    (local.set $skip (i32.shl (i32.sub (local.get $padded) (local.get $n)) (i32.const 2)))
    (local.set $src (local.get $y))
    (local.set $dst (local.get $y))
    (loop $row
      (local.set $c (local.get $n))
      (loop $copy
        (f32.store (local.get $dst) (f32.load (local.get $src)))
        (local.set $src (i32.add (local.get $src) (i32.const 4)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
        (local.set $c (i32.sub (local.get $c) (i32.const 1)))
        (br_if $copy (local.get $c)))
      (local.set $src (i32.add (local.get $src) (local.get $skip)))
      (local.set $rows (i32.sub (local.get $rows) (i32.const 1)))
      (br_if $row (local.get $rows))))

  ;; scratch[(t*cin + c)*6 + r] = A(row r, tap t)[c] for one block: four channels of six rows at a time,
  ;; transposed in registers.
  (func $pack (param $pi i32) (param $taps i32) (param $cin i32) (param $dst i32)
    (local $off i32) (local $cinBytes i32)
    ${rows((r) => `(local $q${r} i32) (local $R${r} v128)`)}
    (local $T0 v128) (local $T1 v128) (local $T2 v128) (local $T3 v128) (local $U0 v128) (local $U1 v128)
    (local.set $cinBytes (i32.shl (local.get $cin) (i32.const 2)))
    (loop $taps
      ${rows((r) => `(local.set $q${r} (i32.load offset=${r * 4} (local.get $pi)))`)}
      (local.set $pi (i32.add (local.get $pi) (i32.const ${ROWS * 4})))
      (local.set $off (i32.const 0))
      (loop $channels
        ${rows((r) => `(local.set $R${r} (v128.load (i32.add (local.get $q${r}) (local.get $off))))`)}
        (local.set $T0 (i8x16.shuffle ${lanes([0, 4, 1, 5])} (local.get $R0) (local.get $R1)))
        (local.set $T1 (i8x16.shuffle ${lanes([2, 6, 3, 7])} (local.get $R0) (local.get $R1)))
        (local.set $T2 (i8x16.shuffle ${lanes([0, 4, 1, 5])} (local.get $R2) (local.get $R3)))
        (local.set $T3 (i8x16.shuffle ${lanes([2, 6, 3, 7])} (local.get $R2) (local.get $R3)))
        (local.set $U0 (i8x16.shuffle ${lanes([0, 4, 1, 5])} (local.get $R4) (local.get $R5)))
        (local.set $U1 (i8x16.shuffle ${lanes([2, 6, 3, 7])} (local.get $R4) (local.get $R5)))
        (v128.store offset=0 (local.get $dst) (i8x16.shuffle ${lanes([0, 1, 4, 5])} (local.get $T0) (local.get $T2)))
        (v128.store64_lane offset=16 0 (local.get $dst) (local.get $U0))
        (v128.store offset=24 (local.get $dst) (i8x16.shuffle ${lanes([2, 3, 6, 7])} (local.get $T0) (local.get $T2)))
        (v128.store64_lane offset=40 1 (local.get $dst) (local.get $U0))
        (v128.store offset=48 (local.get $dst) (i8x16.shuffle ${lanes([0, 1, 4, 5])} (local.get $T1) (local.get $T3)))
        (v128.store64_lane offset=64 0 (local.get $dst) (local.get $U1))
        (v128.store offset=72 (local.get $dst) (i8x16.shuffle ${lanes([2, 3, 6, 7])} (local.get $T1) (local.get $T3)))
        (v128.store64_lane offset=88 1 (local.get $dst) (local.get $U1))
        (local.set $dst (i32.add (local.get $dst) (i32.const ${ROWS * 16})))
        (local.set $off (i32.add (local.get $off) (i32.const 16)))
        (br_if $channels (i32.lt_u (local.get $off) (local.get $cinBytes))))
      (local.set $taps (i32.sub (local.get $taps) (i32.const 1)))
      (br_if $taps (local.get $taps))))

  ;; One block's 6 rows for all n columns: for each 8 columns, 12 accumulators (6 rows x 2 vectors) over
  ;; the k packed patch values. The rows' addresses are read only to store: addresses held in registers
  ;; through the loop, or stores that depend on a row count, slow it by a third.
  (func $multiply (param $pa0 i32) (param $k i32) (param $pb i32) (param $bias i32) (param $outs i32) (param $n i32)
    (local $j i32) (local $col i32) (local $pa i32) (local $kLeft i32) (local $b0 v128) (local $b1 v128) (local $x v128)
    ${rows((r) => `(local $acc${r}a v128) (local $acc${r}b v128)`)}
    (loop $columns
      ${rows(
        (r) => `(local.set $acc${r}a (v128.load offset=0 (local.get $bias)))
      (local.set $acc${r}b (v128.load offset=16 (local.get $bias)))`,
      )}
      (local.set $pa (local.get $pa0))
      (local.set $kLeft (local.get $k))
      (loop $k
        (local.set $b0 (v128.load offset=0 (local.get $pb)))
        (local.set $b1 (v128.load offset=16 (local.get $pb)))
        ${rows(
          (r) => `(local.set $x (v128.load32_splat offset=${r * 4} (local.get $pa)))
        (local.set $acc${r}a (f32x4.relaxed_madd (local.get $x) (local.get $b0) (local.get $acc${r}a)))
        (local.set $acc${r}b (f32x4.relaxed_madd (local.get $x) (local.get $b1) (local.get $acc${r}b)))`,
        )}
        (local.set $pa (i32.add (local.get $pa) (i32.const ${ROWS * 4})))
        (local.set $pb (i32.add (local.get $pb) (i32.const 32)))
        (local.set $kLeft (i32.sub (local.get $kLeft) (i32.const 1)))
        (br_if $k (local.get $kLeft)))
      ${rows(storeRow)}
      (local.set $col (i32.add (local.get $col) (i32.const 32)))
      (local.set $bias (i32.add (local.get $bias) (i32.const 32)))
      (local.set $j (i32.add (local.get $j) (i32.const ${COLS})))
      (br_if $columns (i32.lt_u (local.get $j) (local.get $n)))))
)`;
}
