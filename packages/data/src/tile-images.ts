/** Values per pixel of a picture: 1 grey, 3 RGB, 4 RGBA. */
export type PictureChannels = 1 | 3 | 4;

/**
 * An 8-bit picture, row-major with channels interleaved: `pixels.length === width * height * channels`.
 * `channels` defaults to 1 (grey) where a picture is read.
 */
export interface Picture {
  pixels: Uint8Array;
  width: number;
  height: number;
  channels?: PictureChannels;
}

/** A picture of one channel: the shape single-channel callers (canvases painting grey) rely on. */
export type GrayImage = Picture;

/** The narrowest a grid is drawn by default: small images are enlarged until the grid is this wide. */
export const MIN_AUTO_WIDTH = 400;

export interface TileOptions {
  /** Tiles per row. Default: ceil(sqrt(count)), a near-square grid. */
  columns?: number;
  /** Width in pixels of the line between neighbouring tiles (before scaling). Default 1. */
  padding?: number;
  /** Gray level of that line, in [0, 1]. Default 0.75: light, so it separates dark digit backgrounds. */
  paddingValue?: number;
  /**
   * Values per pixel of the images: 1 (grey, the default), 3 (RGB) or 4 (RGBA), interleaved as in a
   * [count, height, width, channels] tensor. The picture has the same channels.
   */
  channels?: PictureChannels;
  /**
   * Screen pixels per image pixel (nearest neighbour), a positive integer; `auto` (the default) picks the
   * smallest that makes the grid at least 400 pixels wide, so 16x16 digits are not a thumbnail.
   */
  scale?: number | 'auto';
}

/**
 * Lay `count` images of height x width (values in [0, 1], clamped; NaN shows as black) out in a grid,
 * row by row, for sample, reconstruction and interpolation pictures, then enlarge it by `scale`.
 * Cells left over in the last row stay black (opaque with 4 channels).
 */
export function tileImages(
  images: Float32Array,
  count: number,
  height: number,
  width: number,
  options: TileOptions = {},
): Picture {
  for (const [name, value] of [['count', count], ['height', height], ['width', width]] as const) {
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  }
  const channels = options.channels ?? 1;
  if (channels !== 1 && channels !== 3 && channels !== 4) {
    throw new RangeError(`channels must be 1 (grey), 3 (RGB) or 4 (RGBA), got ${String(channels)}`);
  }
  const tileValues = height * width * channels;
  if (images.length !== count * tileValues) {
    throw new RangeError(
      `expected ${count} images of ${height}x${width}x${channels} (${count * tileValues} values), got ${images.length}`,
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
  const scale = resolveScale(options.scale ?? 'auto', gridWidth);
  const pixels = new Uint8Array(gridWidth * gridHeight * channels);
  if (channels === 4) for (let i = 3; i < pixels.length; i += 4) pixels[i] = 255;

  // Paint the separating lines first; tiles then overwrite everything but the lines.
  const line = toByte(options.paddingValue ?? 0.75);
  const paint = (x: number, y: number): void => {
    const at = (y * gridWidth + x) * channels;
    for (let c = 0; c < Math.min(channels, 3); c++) pixels[at + c] = line;
  };
  for (let r = 1; r < rows; r++) {
    const y0 = r * (height + padding) - padding;
    for (let y = y0; y < y0 + padding; y++) for (let x = 0; x < gridWidth; x++) paint(x, y);
  }
  for (let c = 1; c < usedColumns; c++) {
    const x0 = c * (width + padding) - padding;
    for (let y = 0; y < gridHeight; y++) for (let x = x0; x < x0 + padding; x++) paint(x, y);
  }

  const rowValues = width * channels;
  for (let n = 0; n < count; n++) {
    const top = Math.floor(n / columns) * (height + padding);
    const left = (n % columns) * (width + padding);
    for (let y = 0; y < height; y++) {
      const src = n * tileValues + y * rowValues;
      const dst = ((top + y) * gridWidth + left) * channels;
      for (let k = 0; k < rowValues; k++) pixels[dst + k] = toByte(images[src + k] as number);
    }
  }
  return enlarge({ pixels, width: gridWidth, height: gridHeight, channels }, scale);
}

/** The integer scale asked for, or for `auto` the smallest that makes the grid MIN_AUTO_WIDTH wide. */
function resolveScale(scale: number | 'auto', gridWidth: number): number {
  if (scale === 'auto') return Math.max(1, Math.ceil(MIN_AUTO_WIDTH / gridWidth));
  if (!Number.isInteger(scale) || scale < 1) throw new RangeError(`scale must be a positive integer or 'auto', got ${String(scale)}`);
  return scale;
}

/** Nearest-neighbour enlargement: each pixel becomes a scale x scale block. */
function enlarge(picture: Required<Picture>, scale: number): Required<Picture> {
  if (scale === 1) return picture;
  const { pixels, width, height, channels } = picture;
  const outWidth = width * scale;
  const out = new Uint8Array(outWidth * height * scale * channels);
  const outRow = outWidth * channels;
  for (let y = 0; y < height; y++) {
    const first = y * scale * outRow;
    for (let x = 0; x < width; x++) {
      const src = (y * width + x) * channels;
      for (let s = 0; s < scale; s++) {
        const dst = first + (x * scale + s) * channels;
        for (let c = 0; c < channels; c++) out[dst + c] = pixels[src + c] as number;
      }
    }
    // The other scale - 1 rows repeat the first.
    for (let s = 1; s < scale; s++) out.copyWithin(first + s * outRow, first, first + outRow);
  }
  return { pixels: out, width: outWidth, height: height * scale, channels };
}

/** [0, 1] -> [0, 255], clamped and rounded; NaN becomes 0 (a NaN comparison is false both ways). */
function toByte(value: number): number {
  if (!(value > 0)) return 0;
  if (value >= 1) return 255;
  return Math.round(value * 255);
}
