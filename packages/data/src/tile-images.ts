/** A single-channel 8-bit picture, row-major: `pixels.length === width * height`. */
export interface GrayImage {
  pixels: Uint8Array;
  width: number;
  height: number;
}

export interface TileOptions {
  /** Tiles per row. Default: ceil(sqrt(count)), a near-square grid. */
  columns?: number;
  /** Width in pixels of the line between neighbouring tiles. Default 1. */
  padding?: number;
  /** Gray level of that line, in [0, 1]. Default 0.75: light, so it separates dark digit backgrounds. */
  paddingValue?: number;
}

/**
 * Lay `count` single-channel images of height x width (values in [0, 1], clamped; NaN shows as black)
 * out in a grid, row by row, for sample, reconstruction and interpolation pictures.
 * Cells left over in the last row stay black.
 */
export function tileImages(
  images: Float32Array,
  count: number,
  height: number,
  width: number,
  options: TileOptions = {},
): GrayImage {
  for (const [name, value] of [['count', count], ['height', height], ['width', width]] as const) {
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  }
  if (images.length !== count * height * width) {
    throw new RangeError(
      `expected ${count} images of ${height}x${width} (${count * height * width} values), got ${images.length}`,
    );
  }
  const columns = options.columns ?? Math.ceil(Math.sqrt(count));
  const padding = options.padding ?? 1;
  if (!Number.isInteger(columns) || columns < 1) throw new RangeError(`columns must be a positive integer, got ${columns}`);
  if (!Number.isInteger(padding) || padding < 0) throw new RangeError(`padding must be a non-negative integer, got ${padding}`);
  const usedColumns = Math.min(columns, count);
  const rows = Math.ceil(count / columns);
  const gridWidth = usedColumns * width + (usedColumns - 1) * padding;
  const gridHeight = rows * height + (rows - 1) * padding;
  const pixels = new Uint8Array(gridWidth * gridHeight);

  // Paint the separating lines first; tiles then overwrite everything but the lines.
  const line = toByte(options.paddingValue ?? 0.75);
  for (let r = 1; r < rows; r++) {
    const y0 = r * (height + padding) - padding;
    pixels.fill(line, y0 * gridWidth, (y0 + padding) * gridWidth);
  }
  for (let c = 1; c < usedColumns; c++) {
    const x0 = c * (width + padding) - padding;
    for (let y = 0; y < gridHeight; y++) pixels.fill(line, y * gridWidth + x0, y * gridWidth + x0 + padding);
  }

  for (let n = 0; n < count; n++) {
    const top = Math.floor(n / columns) * (height + padding);
    const left = (n % columns) * (width + padding);
    for (let y = 0; y < height; y++) {
      const src = (n * height + y) * width;
      const dst = (top + y) * gridWidth + left;
      for (let x = 0; x < width; x++) pixels[dst + x] = toByte(images[src + x] as number);
    }
  }
  return { pixels, width: gridWidth, height: gridHeight };
}

/** [0, 1] -> [0, 255], clamped and rounded; NaN becomes 0 (a NaN comparison is false both ways). */
function toByte(value: number): number {
  if (!(value > 0)) return 0;
  if (value >= 1) return 255;
  return Math.round(value * 255);
}
