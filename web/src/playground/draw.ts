/**
 * Draws generator output on a canvas: images in [-1, 1] side by side, 2D points as a scatter, or one row of
 * an attention map as a heat map over its image.
 */

/** Pixel value of a tanh output in [-1, 1]. */
const byte = (v: number) => Math.max(0, Math.min(255, Math.round((v + 1) * 127.5)));

export function drawImages(
  canvas: HTMLCanvasElement,
  data: Float32Array,
  count: number,
  shape: number[],
  scale = 3,
): void {
  const [h = 1, w = 1, c = 1] = shape;
  canvas.width = count * w;
  canvas.height = h;
  canvas.style.width = `${count * w * scale}px`;
  canvas.style.height = `${h * scale}px`;
  const ctx = canvas.getContext('2d')!;
  const img = ctx.createImageData(count * w, h);
  for (let n = 0; n < count; n++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const src = ((n * h + y) * w + x) * c;
        const dst = (y * count * w + n * w + x) * 4;
        const r = byte(data[src]!);
        img.data[dst] = r;
        img.data[dst + 1] = c >= 3 ? byte(data[src + 1]!) : r;
        img.data[dst + 2] = c >= 3 ? byte(data[src + 2]!) : r;
        img.data[dst + 3] = 255;
      }
    }
  }
  ctx.putImageData(img, 0, 0);
}

export function drawPoints(canvas: HTMLCanvasElement, data: Float32Array, size = 320): void {
  canvas.width = size;
  canvas.height = size;
  canvas.style.width = `${size}px`;
  canvas.style.height = `${size}px`;
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, size, size);
  let extent = 1;
  for (const v of data) extent = Math.max(extent, Math.abs(v));
  extent *= 1.1;
  ctx.fillStyle = 'rgba(31, 111, 197, 0.5)';
  for (let i = 0; i + 1 < data.length; i += 2) {
    const x = ((data[i]! / extent + 1) / 2) * size;
    const y = ((1 - data[i + 1]! / extent) / 2) * size;
    ctx.fillRect(x - 1.5, y - 1.5, 3, 3);
  }
}

/**
 * Where one position of a `side` x `side` feature map looks: `row` (its attention over every position,
 * summing to 1) as red over the image (greyscale, shape [h, w, c]), each position scaled to the largest
 * weight, the query position outlined in blue. The canvas is the image's size.
 */
export function drawAttention(
  canvas: HTMLCanvasElement,
  image: Float32Array,
  shape: number[],
  row: Float32Array,
  side: number,
  query: [number, number],
  scale = 8,
): void {
  const [h = 1, w = 1, c = 1] = shape;
  canvas.width = w;
  canvas.height = h;
  canvas.style.width = `${w * scale}px`;
  canvas.style.height = `${h * scale}px`;
  const ctx = canvas.getContext('2d')!;
  const img = ctx.createImageData(w, h);
  let max = 0;
  for (const v of row) max = Math.max(max, v);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const grey = byte(image[(y * w + x) * c]!) * 0.6;
      const cell = Math.floor((y * side) / h) * side + Math.floor((x * side) / w);
      const heat = max > 0 ? row[cell]! / max : 0;
      const dst = (y * w + x) * 4;
      img.data[dst] = Math.round(grey + heat * (255 - grey));
      img.data[dst + 1] = Math.round(grey * (1 - heat));
      img.data[dst + 2] = Math.round(grey * (1 - heat));
      img.data[dst + 3] = 255;
    }
  }
  ctx.putImageData(img, 0, 0);
  ctx.strokeStyle = '#1f6fc5';
  ctx.lineWidth = 0.5;
  const [qx, qy] = query;
  ctx.strokeRect((qx * w) / side, (qy * h) / side, w / side, h / side);
}
