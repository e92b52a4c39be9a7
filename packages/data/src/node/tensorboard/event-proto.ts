import { ProtobufWriter } from '@vaekit/core/internal';
import type { PictureChannels } from '../../tile-images.js';
import type { HistogramData } from './histogram.js';

/** A PNG as TensorBoard's Summary.Image holds it. */
export interface EncodedImage {
  readonly png: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly channels: PictureChannels;
}

/** One tagged value of a summary: a scalar, a histogram or an image. */
export type SummaryValue =
  | { readonly tag: string; readonly scalar: number }
  | { readonly tag: string; readonly histogram: HistogramData }
  | { readonly tag: string; readonly image: EncodedImage };

/** What TensorBoard's first record of every event file says. */
export const FILE_VERSION = 'brain.Event:2';

// Field numbers of tensorflow/core/util/event.proto and tensorflow/core/framework/summary.proto.
const EVENT = { wallTime: 1, step: 2, fileVersion: 3, summary: 5, sessionLog: 7 } as const;
const SESSION_LOG = { status: 1, start: 1 } as const;
const SUMMARY = { value: 1 } as const;
const VALUE = { tag: 1, simpleValue: 2, image: 4, histo: 5 } as const;
const IMAGE = { height: 1, width: 2, colorspace: 3, encodedImage: 4 } as const;
const HISTOGRAM = { min: 1, max: 2, num: 3, sum: 4, sumSquares: 5, bucketLimit: 6, bucket: 7 } as const;

/**
 * An Event message: the file-version header when `fileVersion` is given, a SessionLog START when
 * `sessionStart` is (TensorBoard then drops what earlier files logged at `step` or later), else a summary.
 */
export function encodeEvent(event: {
  wallTimeSeconds: number;
  step: number;
  fileVersion?: string;
  sessionStart?: boolean;
  values?: readonly SummaryValue[];
}): Uint8Array {
  const writer = new ProtobufWriter();
  writer.double(EVENT.wallTime, event.wallTimeSeconds);
  writer.int(EVENT.step, event.step);
  if (event.fileVersion !== undefined) writer.string(EVENT.fileVersion, event.fileVersion);
  if (event.sessionStart) writer.message(EVENT.sessionLog, (log) => log.int(SESSION_LOG.status, SESSION_LOG.start));
  if (event.values) {
    const values = event.values;
    writer.message(EVENT.summary, (summary) => {
      for (const value of values) summary.message(SUMMARY.value, (w) => writeValue(w, value));
    });
  }
  return writer.finish();
}

function writeValue(writer: ProtobufWriter, value: SummaryValue): void {
  writer.string(VALUE.tag, value.tag);
  if ('scalar' in value) {
    writer.float(VALUE.simpleValue, value.scalar);
  } else if ('histogram' in value) {
    const h = value.histogram;
    writer.message(VALUE.histo, (w) => {
      w.double(HISTOGRAM.min, h.min);
      w.double(HISTOGRAM.max, h.max);
      w.double(HISTOGRAM.num, h.count);
      w.double(HISTOGRAM.sum, h.sum);
      w.double(HISTOGRAM.sumSquares, h.sumSquares);
      w.packedDoubles(HISTOGRAM.bucketLimit, h.bucketLimits);
      w.packedDoubles(HISTOGRAM.bucket, h.bucketCounts);
    });
  } else {
    const image = value.image;
    writer.message(VALUE.image, (w) => {
      w.int(IMAGE.height, image.height);
      w.int(IMAGE.width, image.width);
      // Summary.Image's colorspace is the channel count: 1 grey, 3 RGB, 4 RGBA.
      w.int(IMAGE.colorspace, image.channels);
      w.bytes(IMAGE.encodedImage, image.png);
    });
  }
}
