/**
 * How large a PNG vaekit decodes. Checked from the file's header before any pixel is inflated: a PNG
 * declares its size up front, and a few hundred kilobytes of zeros can declare (and inflate to)
 * gigabytes. At the limits a folder's decoded pixels take 256 MiB, and one image's decoding adds about
 * 150 MB more at worst (16-bit RGBA passes through several full-size buffers): under 1 GB together.
 * Images this large are far beyond what a VAE here trains on (an MLP over 2048 x 2048 inputs would
 * need billions of weights).
 */
export interface PngLimits {
  /** Widest or tallest image, in pixels. */
  readonly maxSide: number;
  /** Most pixels in one image (2048 x 2048). */
  readonly maxPixels: number;
  /**
   * Most values in all the images of a folder loaded whole: pixels times channels (256 MiB of float32;
   * MNIST's 70,000 digits are 55 M). A folder decoded batch by batch is not held whole, so not bound by it.
   */
  readonly maxFolderPixels: number;
}

export const DEFAULT_PNG_LIMITS: PngLimits = {
  maxSide: 16_384,
  maxPixels: 2 ** 22,
  maxFolderPixels: 2 ** 26,
};

export function resolvePngLimits(overrides: Partial<PngLimits> = {}): PngLimits {
  return { ...DEFAULT_PNG_LIMITS, ...overrides };
}
