import { tileImages, type GrayImage } from '@vaekit/data';

/** Paints an 8-bit gray picture onto a canvas of the same size. */
export function paintGray(canvas: HTMLCanvasElement, image: GrayImage): void {
  canvas.width = image.width;
  canvas.height = image.height;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const rgba = new ImageData(image.width, image.height);
  for (let i = 0; i < image.pixels.length; i++) {
    const v = image.pixels[i] ?? 0;
    rgba.data[4 * i] = v;
    rgba.data[4 * i + 1] = v;
    rgba.data[4 * i + 2] = v;
    rgba.data[4 * i + 3] = 255;
  }
  ctx.putImageData(rgba, 0, 0);
}

/** Digits (values in [0, 1], 28 x 28 each) as a grid, `columns` per row. */
export function paintDigits(canvas: HTMLCanvasElement, digits: Float32Array, count: number, columns = 8): void {
  paintGray(canvas, tileImages(digits, count, 28, 28, { columns }));
}

/**
 * Interleaves inputs and reconstructions row by row (a row of 8 inputs, then the same 8 reconstructed), so
 * each digit sits right above its reconstruction.
 */
export function interleaveRows(inputs: Float32Array, outputs: Float32Array, count: number, columns = 8): Float32Array {
  const size = 784;
  const out = new Float32Array(2 * count * size);
  let at = 0;
  for (let start = 0; start < count; start += columns) {
    const n = Math.min(columns, count - start);
    out.set(inputs.subarray(start * size, (start + n) * size), at);
    at += n * size;
    out.set(outputs.subarray(start * size, (start + n) * size), at);
    at += n * size;
  }
  return out;
}

/** The loss curve: each step's loss in light gray, an exponential moving average on top, labelled axes. */
export function paintLoss(canvas: HTMLCanvasElement, losses: readonly number[]): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const { width, height } = canvas;
  const pad = { left: 48, right: 12, top: 12, bottom: 28 };
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, width, height);
  ctx.font = '11px system-ui, sans-serif';
  ctx.fillStyle = '#555';
  if (losses.length < 2) {
    ctx.fillText('The loss appears here once training starts.', pad.left, height / 2);
    return;
  }
  const smooth: number[] = [];
  let ema = losses[0] ?? 0;
  for (const loss of losses) smooth.push((ema = 0.9 * ema + 0.1 * loss));
  // Scale to the smoothed curve after its first few steps, so the initial drop does not flatten the rest.
  const tail = smooth.slice(Math.min(5, smooth.length - 1));
  const lo = Math.min(...tail);
  const hi = Math.max(...tail, Math.min(Math.max(...losses), lo * 2.5));
  const span = hi - lo || 1;
  const x = (i: number): number => pad.left + (i / (losses.length - 1)) * (width - pad.left - pad.right);
  const y = (v: number): number => pad.top + (1 - (Math.min(Math.max(v, lo), hi) - lo) / span) * (height - pad.top - pad.bottom);

  ctx.strokeStyle = '#ccc';
  ctx.beginPath();
  ctx.moveTo(pad.left, pad.top);
  ctx.lineTo(pad.left, height - pad.bottom);
  ctx.lineTo(width - pad.right, height - pad.bottom);
  ctx.stroke();
  for (const v of [lo, (lo + hi) / 2, hi]) ctx.fillText(v.toFixed(0), 4, y(v) + 4);
  ctx.fillText('step 1', pad.left, height - 8);
  const last = `step ${losses.length}`;
  ctx.fillText(last, width - pad.right - ctx.measureText(last).width, height - 8);

  const line = (values: readonly number[], color: string, lineWidth: number): void => {
    ctx.strokeStyle = color;
    ctx.lineWidth = lineWidth;
    ctx.beginPath();
    values.forEach((v, i) => (i === 0 ? ctx.moveTo(x(i), y(v)) : ctx.lineTo(x(i), y(v))));
    ctx.stroke();
  };
  line(losses, '#d6d6d6', 1);
  line(smooth, '#1f5fbf', 2);
  ctx.lineWidth = 1;
}
