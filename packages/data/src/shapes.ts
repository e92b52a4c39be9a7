import { SeededRandom } from '@vaekit/core';
import { DataError } from './data-error.js';
import type { LoadedData } from './types.js';

export interface ShapesOptions {
  /** Images to draw. */
  readonly count: number;
  /** Side of each square image in pixels. Default 32. */
  readonly size?: number;
  /** Seeds every colour, shape and position: the same seed draws the same images. */
  readonly seed?: number;
}

type Rgb = readonly [number, number, number];
type Shape = 'disc' | 'square' | 'triangle';
const SHAPES: readonly Shape[] = ['disc', 'square', 'triangle'];

/**
 * A synthetic colour data set: on a plain background of a random dull colour, one or two filled discs,
 * squares or triangles of random bright colours, sizes and places. Values are 8-bit levels k/255 in
 * [0, 1], shape [count, size, size, 3]: data for colour models and 8-bit likelihoods that needs no
 * download, with structure a model can learn (edges, flat colour regions) and that a picture shows.
 */
export function generateShapes(options: ShapesOptions): LoadedData {
  const { count, size = 32, seed = 0 } = options;
  if (!Number.isInteger(count) || count < 1) throw new DataError(`shapes: count must be a whole number >= 1, got ${count}`);
  if (!Number.isInteger(size) || size < 8 || size > 512) throw new DataError(`shapes: size must be a whole number from 8 to 512, got ${size}`);
  const rng = new SeededRandom(seed);
  const pixels = size * size * 3;
  const data = new Float32Array(count * pixels);
  for (let n = 0; n < count; n++) {
    const image = data.subarray(n * pixels, (n + 1) * pixels);
    fill(image, hsv(rng.nextFloat(), 0.1 + 0.3 * rng.nextFloat(), 0.15 + 0.35 * rng.nextFloat()));
    const shapes = 1 + Math.floor(rng.nextFloat() * 2);
    for (let s = 0; s < shapes; s++) {
      const shape = SHAPES[Math.floor(rng.nextFloat() * SHAPES.length)]!;
      const colour = hsv(rng.nextFloat(), 0.7 + 0.3 * rng.nextFloat(), 0.75 + 0.25 * rng.nextFloat());
      const radius = size * (0.12 + 0.16 * rng.nextFloat());
      const cx = radius + rng.nextFloat() * (size - 2 * radius);
      const cy = radius + rng.nextFloat() * (size - 2 * radius);
      draw(image, size, shape, cx, cy, radius, colour);
    }
  }
  return { data, count, exampleShape: [size, size, 3] };
}

function fill(image: Float32Array, colour: Rgb): void {
  for (let i = 0; i < image.length; i++) image[i] = colour[i % 3]!;
}

/** Paints the pixels whose centres fall inside the shape. */
function draw(image: Float32Array, size: number, shape: Shape, cx: number, cy: number, r: number, colour: Rgb): void {
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      if (!inside(shape, x + 0.5 - cx, y + 0.5 - cy, r)) continue;
      const offset = (y * size + x) * 3;
      image[offset] = colour[0];
      image[offset + 1] = colour[1];
      image[offset + 2] = colour[2];
    }
  }
}

function inside(shape: Shape, dx: number, dy: number, r: number): boolean {
  switch (shape) {
    case 'disc':
      return dx * dx + dy * dy <= r * r;
    case 'square':
      return Math.abs(dx) <= r * 0.85 && Math.abs(dy) <= r * 0.85;
    case 'triangle':
      // Pointing up: below the two slanted sides and above the base.
      return dy <= r * 0.8 && dy >= -r + 2 * Math.abs(dx);
  }
}

/** An HSV colour as 8-bit levels k/255. */
function hsv(h: number, s: number, v: number): Rgb {
  const sector = Math.floor(h * 6) % 6;
  const f = h * 6 - Math.floor(h * 6);
  const p = v * (1 - s);
  const q = v * (1 - f * s);
  const t = v * (1 - (1 - f) * s);
  const rgb = [
    [v, t, p],
    [q, v, p],
    [p, v, t],
    [p, q, v],
    [t, p, v],
    [v, p, q],
  ][sector]!;
  return rgb.map((c) => Math.round(c * 255) / 255) as unknown as Rgb;
}
