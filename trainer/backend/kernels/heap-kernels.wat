;; The heap kernels (heap-kernels.ts, whose HeapKernels interface says what each export computes), in the
;; wasm text format; wat.ts compiles them. They import the wasm backend's own memory and work on tensors in
;; place. Adam's update follows tfjs's ops step by step, without fused multiply-add, so its values are
;; tfjs's.
(module
  (import "env" "memory" (memory 1))
  (func (export "sumRows") (param $x i32) (param $out i32) (param $acc i32) (param $rows i32) (param $inner i32)
    (param $scale f64)
    (local $r i32) (local $c i32) (local $vec i32) (local $p i32) (local $a i32) (local $v v128)
    (local.set $vec (i32.and (local.get $inner) (i32.const -4)))
    (memory.fill (local.get $acc) (i32.const 0) (i32.shl (local.get $inner) (i32.const 3)))
    (local.set $p (local.get $x))

    (block $rows_done (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $c (i32.const 0))
        (local.set $a (local.get $acc))

        (block $cols_done (loop $cols
            (br_if $cols_done (i32.ge_u (local.get $c) (local.get $vec)))
            (local.set $v (v128.load (local.get $p)))
            (v128.store (local.get $a) (f64x2.add (v128.load (local.get $a)) (f64x2.promote_low_f32x4 (local.get $v))))
            (v128.store offset=16 (local.get $a) (f64x2.add (v128.load offset=16 (local.get $a))
                (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v)))))
            (local.set $p (i32.add (local.get $p) (i32.const 16)))
            (local.set $a (i32.add (local.get $a) (i32.const 32)))
            (local.set $c (i32.add (local.get $c) (i32.const 4)))
            (br $cols)))

        (block $tail_done (loop $tail
            (br_if $tail_done (i32.ge_u (local.get $c) (local.get $inner)))
            (f64.store (local.get $a) (f64.add (f64.load (local.get $a)) (f64.promote_f32 (f32.load (local.get $p)))))
            (local.set $p (i32.add (local.get $p) (i32.const 4)))
            (local.set $a (i32.add (local.get $a) (i32.const 8)))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $tail)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows)))
    (local.set $c (i32.const 0))

    (block $out_done (loop $out
        (br_if $out_done (i32.ge_u (local.get $c) (local.get $inner)))
        (f32.store (i32.add (local.get $out) (i32.shl (local.get $c) (i32.const 2)))
          (f32.demote_f64 (f64.mul (local.get $scale) (f64.load (i32.add (local.get $acc) (i32.shl (local.get $c) (i32.const 3)))))))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $out))))

  (func (export "channelAffine") (param $x i32) (param $out i32) (param $vectors i32) (param $pixels i32)
    (param $c i32)
    (local $p i32) (local $k i32) (local $vec i32) (local $bytes i32) (local $mean i32) (local $a i32) (local $b i32)
    (local.set $bytes (i32.shl (local.get $c) (i32.const 2)))
    (local.set $vec (i32.and (local.get $bytes) (i32.const -16)))

    (block $pixels_done (loop $pixels
        (br_if $pixels_done (i32.ge_u (local.get $p) (local.get $pixels)))
        (local.set $mean (local.get $vectors))
        (local.set $a (i32.add (local.get $vectors) (local.get $bytes)))
        (local.set $b (i32.add (local.get $a) (local.get $bytes)))
        (local.set $k (i32.const 0))

        (block $vec_done (loop $vec
            (br_if $vec_done (i32.ge_u (local.get $k) (local.get $vec)))
            (v128.store (i32.add (local.get $out) (local.get $k))
              (f32x4.add (f32x4.mul (f32x4.sub (v128.load (i32.add (local.get $x) (local.get $k))) (v128.load (i32.add (local.get $mean) (local.get $k))))
                  (v128.load (i32.add (local.get $a) (local.get $k)))) (v128.load (i32.add (local.get $b) (local.get $k)))))
            (local.set $k (i32.add (local.get $k) (i32.const 16)))
            (br $vec)))

        (block $one_done (loop $one
            (br_if $one_done (i32.ge_u (local.get $k) (local.get $bytes)))
            (f32.store (i32.add (local.get $out) (local.get $k))
              (f32.add (f32.mul (f32.sub (f32.load (i32.add (local.get $x) (local.get $k))) (f32.load (i32.add (local.get $mean) (local.get $k))))
                  (f32.load (i32.add (local.get $a) (local.get $k)))) (f32.load (i32.add (local.get $b) (local.get $k)))))
            (local.set $k (i32.add (local.get $k) (i32.const 4)))
            (br $one)))
        (local.set $x (i32.add (local.get $x) (local.get $bytes)))
        (local.set $out (i32.add (local.get $out) (local.get $bytes)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $pixels))))

  (func (export "transposeBlock") (param $x i32) (param $out i32) (param $rows i32) (param $cols i32)
    (local $o i32) (local $r i32) (local $src i32) (local $rowBytes i32)
    (local.set $rowBytes (i32.shl (local.get $cols) (i32.const 2)))

    (block $cols_done (loop $cols
        (br_if $cols_done (i32.ge_u (local.get $o) (local.get $cols)))
        (local.set $src (i32.add (local.get $x) (i32.shl (local.get $o) (i32.const 2))))
        (local.set $r (i32.const 0))

        (block $rows_done (loop $rows
            (br_if $rows_done (i32.ge_u (local.get $r) (local.get $rows)))
            (f32.store (local.get $out) (f32.load (local.get $src)))
            (local.set $out (i32.add (local.get $out) (i32.const 4)))
            (local.set $src (i32.add (local.get $src) (local.get $rowBytes)))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $rows)))
        (local.set $o (i32.add (local.get $o) (i32.const 1)))
        (br $cols))))

  (func (export "leakyRelu") (param $x i32) (param $out i32) (param $n i32) (param $alpha f32)
    (local $i i32) (local $vec i32) (local $end i32) (local $v v128) (local $a v128) (local $one f32)
    (local.set $vec (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $a (f32x4.splat (local.get $alpha)))

    (block $vec_done (loop $vec
        (br_if $vec_done (i32.ge_u (local.get $i) (local.get $vec)))
        (local.set $v (v128.load (i32.add (local.get $x) (local.get $i))))
        (v128.store (i32.add (local.get $out) (local.get $i))
          (v128.bitselect (local.get $v) (f32x4.mul (local.get $v) (local.get $a)) (f32x4.gt (local.get $v) (v128.const f32x4 0 0 0 0))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $vec)))

    (block $one_done (loop $one
        (br_if $one_done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $one (f32.load (i32.add (local.get $x) (local.get $i))))
        (f32.store (i32.add (local.get $out) (local.get $i))
          (select (local.get $one) (f32.mul (local.get $one) (local.get $alpha)) (f32.gt (local.get $one) (f32.const 0))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $one))))

  (func (export "adam") (param $v i32) (param $m i32) (param $s i32) (param $g i32)
    (param $vo i32) (param $mo i32) (param $so i32) (param $n i32)
    (param $b1 f32) (param $k1 f32) (param $b2 f32) (param $k2 f32) (param $c1 f32) (param $c2 f32)
    (param $eps f32) (param $nlr f32)
    (local $i i32) (local $vec i32) (local $end i32)
    (local $g4 v128) (local $m4 v128) (local $s4 v128) (local $g1 f32) (local $m1 f32) (local $s1 f32)
    (local.set $vec (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))

    (block $vec_done (loop $vec
        (br_if $vec_done (i32.ge_u (local.get $i) (local.get $vec)))
        (local.set $g4 (v128.load (i32.add (local.get $g) (local.get $i))))
        (local.set $m4 (f32x4.add (f32x4.mul (v128.load (i32.add (local.get $m) (local.get $i))) (f32x4.splat (local.get $b1))) (f32x4.mul (local.get $g4) (f32x4.splat (local.get $k1)))))
        (local.set $s4 (f32x4.add (f32x4.mul (v128.load (i32.add (local.get $s) (local.get $i))) (f32x4.splat (local.get $b2))) (f32x4.mul (f32x4.mul (local.get $g4) (local.get $g4)) (f32x4.splat (local.get $k2)))))
        (v128.store (i32.add (local.get $mo) (local.get $i)) (local.get $m4))
        (v128.store (i32.add (local.get $so) (local.get $i)) (local.get $s4))
        (v128.store (i32.add (local.get $vo) (local.get $i)) (f32x4.add (f32x4.mul (f32x4.div (f32x4.div (local.get $m4) (f32x4.splat (local.get $c1))) (f32x4.add (f32x4.sqrt (f32x4.div (local.get $s4) (f32x4.splat (local.get $c2)))) (f32x4.splat (local.get $eps)))) (f32x4.splat (local.get $nlr))) (v128.load (i32.add (local.get $v) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $vec)))

    (block $one_done (loop $one
        (br_if $one_done (i32.ge_u (local.get $i) (local.get $end)))
        (local.set $g1 (f32.load (i32.add (local.get $g) (local.get $i))))
        (local.set $m1 (f32.add (f32.mul (f32.load (i32.add (local.get $m) (local.get $i))) (local.get $b1)) (f32.mul (local.get $g1) (local.get $k1))))
        (local.set $s1 (f32.add (f32.mul (f32.load (i32.add (local.get $s) (local.get $i))) (local.get $b2)) (f32.mul (f32.mul (local.get $g1) (local.get $g1)) (local.get $k2))))
        (f32.store (i32.add (local.get $mo) (local.get $i)) (local.get $m1))
        (f32.store (i32.add (local.get $so) (local.get $i)) (local.get $s1))
        (f32.store (i32.add (local.get $vo) (local.get $i)) (f32.add (f32.mul (f32.div (f32.div (local.get $m1) (local.get $c1)) (f32.add (f32.sqrt (f32.div (local.get $s1) (local.get $c2))) (local.get $eps))) (local.get $nlr)) (f32.load (i32.add (local.get $v) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $one))))

  (func (export "col2im") (param $cols i32) (param $dx i32) (param $n i32) (param $n1 i32) (param $h i32)
    (param $w i32) (param $c i32) (param $kh i32) (param $kw i32) (param $sh i32) (param $sw i32)
    (param $padTop i32) (param $padLeft i32) (param $ho i32) (param $wo i32)
    (local $p i32) (local $end i32) (local $plane i32) (local $i i32) (local $j i32) (local $a i32) (local $b i32)
    (local $y i32) (local $x i32) (local $k i32) (local $bytes i32) (local $dst i32)
    (local.set $bytes (i32.shl (local.get $c) (i32.const 2)))
    ;; One loop over the output pixels (n, i, j) of items [n, n1), one patch row each.
    (local.set $plane (i32.mul (local.get $ho) (local.get $wo)))
    (local.set $p (i32.mul (local.get $n) (local.get $plane)))
    (local.set $end (i32.mul (local.get $n1) (local.get $plane)))

    (block $pixels_done (loop $pixels
        (br_if $pixels_done (i32.ge_u (local.get $p) (local.get $end)))
        (local.set $n (i32.div_u (local.get $p) (local.get $plane)))
        (local.set $i (i32.rem_u (i32.div_u (local.get $p) (local.get $wo)) (local.get $ho)))
        (local.set $j (i32.rem_u (local.get $p) (local.get $wo)))
        (local.set $a (i32.const 0))

        (block $taprows_done (loop $taprows
            (br_if $taprows_done (i32.ge_u (local.get $a) (local.get $kh)))
            (local.set $y (i32.add (i32.sub (i32.mul (local.get $i) (local.get $sh)) (local.get $padTop)) (local.get $a)))
            (local.set $b (i32.const 0))

            (block $taps_done (loop $taps
                (br_if $taps_done (i32.ge_u (local.get $b) (local.get $kw)))
                (local.set $x (i32.add (i32.sub (i32.mul (local.get $j) (local.get $sw)) (local.get $padLeft)) (local.get $b)))
                ;; unsigned: a negative row or column is out of range too
                (if (i32.and (i32.lt_u (local.get $y) (local.get $h)) (i32.lt_u (local.get $x) (local.get $w)))
                  (then
                    (local.set $dst (i32.add (local.get $dx) (i32.mul (local.get $bytes)
                          (i32.add (i32.mul (i32.add (i32.mul (local.get $n) (local.get $h)) (local.get $y)) (local.get $w)) (local.get $x)))))
                    (local.set $k (i32.const 0))

                    (block $channels_done (loop $channels
                        (br_if $channels_done (i32.ge_u (local.get $k) (local.get $bytes)))
                        (f32.store (i32.add (local.get $dst) (local.get $k))
                          (f32.add (f32.load (i32.add (local.get $dst) (local.get $k))) (f32.load (i32.add (local.get $cols) (local.get $k)))))
                        (local.set $k (i32.add (local.get $k) (i32.const 4)))
                        (br $channels)))))
                (local.set $cols (i32.add (local.get $cols) (local.get $bytes)))
                (local.set $b (i32.add (local.get $b) (i32.const 1)))
                (br $taps)))
            (local.set $a (i32.add (local.get $a) (i32.const 1)))
            (br $taprows)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $pixels))))

  (func (export "weave") (param $x i32) (param $out i32) (param $outer i32) (param $inner i32) (param $bytes i32)
    (param $outerStride i32) (param $innerStride i32)
    (local $o i32) (local $j i32) (local $d i32) (local $k i32) (local $vec i32)
    (local.set $vec (i32.and (local.get $bytes) (i32.const -16)))

    (block $outer_done (loop $outer
        (br_if $outer_done (i32.ge_u (local.get $o) (local.get $outer)))
        (local.set $d (i32.add (local.get $out) (i32.mul (local.get $o) (local.get $outerStride))))
        (local.set $j (i32.const 0))

        (block $inner_done (loop $inner
            (br_if $inner_done (i32.ge_u (local.get $j) (local.get $inner)))
            (local.set $k (i32.const 0))

            (block $vec_done (loop $vec
                (br_if $vec_done (i32.ge_u (local.get $k) (local.get $vec)))
                (v128.store (i32.add (local.get $d) (local.get $k)) (v128.load (i32.add (local.get $x) (local.get $k))))
                (local.set $k (i32.add (local.get $k) (i32.const 16)))
                (br $vec)))
            (memory.copy (i32.add (local.get $d) (local.get $vec)) (i32.add (local.get $x) (local.get $vec)) (i32.sub (local.get $bytes) (local.get $vec)))
            (local.set $x (i32.add (local.get $x) (local.get $bytes)))
            (local.set $d (i32.add (local.get $d) (local.get $innerStride)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $inner)))
        (local.set $o (i32.add (local.get $o) (i32.const 1)))
        (br $outer)))))
