import type { PictureChannels } from './tile-images.js';

/** Height, width and channels (1 grey, 3 RGB, 4 RGBA) of one example drawn as a picture. */
export type PictureShape = readonly [height: number, width: number, channels: PictureChannels];

/**
 * How to draw one example of `exampleShape`: [h, w] and [h, w, c] with c = 1, 3 or 4 are pictures as
 * they are; a flat vector whose length is a perfect square (MNIST's 784) is a grey square. Anything else
 * has no natural picture: null.
 */
export function pictureShapeOf(exampleShape: readonly number[]): PictureShape | null {
  const [a, b, c] = exampleShape;
  if (exampleShape.length === 3 && (c === 1 || c === 3 || c === 4)) return [a!, b!, c];
  if (exampleShape.length === 2) return [a!, b!, 1];
  if (exampleShape.length === 1) {
    const side = Math.round(Math.sqrt(a!));
    if (side * side === a) return [side, side, 1];
  }
  return null;
}
