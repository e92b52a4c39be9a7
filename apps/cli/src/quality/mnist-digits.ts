import { loadMnist, type MnistSplit } from '@vaekit/data/node';
import type { LabelledDigits } from '@vaekit/variants';

/** One MNIST split as grey levels in [0, 1] (not binarized) with their labels: what the classifier reads. */
export function mnistDigits(split: MnistSplit): LabelledDigits & { readonly labels: Uint8Array } {
  const { images, labels, count } = loadMnist({ split });
  const grey = new Float32Array(images.length);
  for (let i = 0; i < images.length; i++) grey[i] = images[i]! / 255;
  return { images: grey, labels, count };
}
