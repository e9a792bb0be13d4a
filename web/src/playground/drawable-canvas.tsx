/**
 * A canvas drawn on with the pointer (mouse, pen or finger): each move while pressed reports the segment
 * from the last point to this one, in the image's pixels (the canvas may be drawn larger on screen), so a
 * stroke is painted as one line however fast it moves.
 */
import type { Ref } from 'preact';
import { useRef } from 'preact/hooks';

export function DrawableCanvas({
  canvas,
  size: [h, w],
  onStroke,
  testId,
  label,
  caption,
}: {
  canvas: Ref<HTMLCanvasElement>;
  /** [height, width] of the image drawn on. */
  size: readonly [number, number];
  /** The segment painted, in image pixels; `from` equals `to` at a stroke's first point. */
  onStroke: (from: [number, number], to: [number, number]) => void;
  testId: string;
  label: string;
  caption: string;
}) {
  const last = useRef<[number, number] | undefined>(undefined);
  const stroke = (e: PointerEvent) => {
    const r = (e.currentTarget as HTMLCanvasElement).getBoundingClientRect();
    const point: [number, number] = [
      ((e.clientX - r.left) / r.width) * w,
      ((e.clientY - r.top) / r.height) * h,
    ];
    onStroke(last.current ?? point, point);
    last.current = point;
  };
  return (
    <figure>
      <canvas
        ref={canvas}
        class="pixelated drawable"
        data-testid={testId}
        role="img"
        aria-label={label}
        onPointerDown={(e) => {
          (e.target as HTMLCanvasElement).setPointerCapture(e.pointerId);
          last.current = undefined;
          stroke(e);
        }}
        onPointerMove={(e) => {
          if (e.buttons & 1) stroke(e);
        }}
        onPointerUp={() => {
          last.current = undefined;
        }}
      />
      <figcaption>{caption}</figcaption>
    </figure>
  );
}

/** The pen's width in image pixels, a labelled slider beside a drawable canvas. */
export function PenWidth({
  value,
  min,
  max,
  step,
  onChange,
}: {
  value: number;
  min: number;
  max: number;
  step: number;
  onChange: (width: number) => void;
}) {
  return (
    <label>
      Pen {value.toFixed(1)} px
      <input
        type="range"
        min={min}
        max={max}
        step={step}
        value={value}
        onInput={(e) => onChange(Number((e.target as HTMLInputElement).value))}
      />
    </label>
  );
}
