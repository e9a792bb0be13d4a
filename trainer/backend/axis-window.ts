/**
 * Rows [start, start + len) of an axis of the given size, zero outside it, as the part to keep (crop:
 * offset, length) plus zero padding before and after, so a conv can take the padding instead of a copy.
 */
export function axisWindow(
  start: number,
  len: number,
  size: number,
): { crop: [number, number]; pad: [number, number] } {
  const c0 = Math.min(size, Math.max(0, start));
  const c1 = Math.max(c0, Math.min(size, start + len));
  return { crop: [c0, c1 - c0], pad: [c0 - start, start + len - c1] };
}
