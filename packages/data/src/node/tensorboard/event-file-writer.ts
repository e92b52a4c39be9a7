import { closeSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Picture } from '../../tile-images.js';
import { encodePng } from '../png.js';
import { encodeEvent, FILE_VERSION, type SummaryValue } from './event-proto.js';
import { histogramOf } from './histogram.js';
import { frameRecord } from './tfrecord.js';

/** Told apart when one process opens several writers on one folder within a second. */
let filesOpened = 0;

/**
 * A TensorBoard event file, written by vaekit itself (TFRecord framing, Event and Summary protobufs), so it
 * works on every backend without TensorFlow. Each call appends one event with a synchronous write: what a
 * crash leaves behind is whole events, and TensorBoard reading the folder sees each one as it lands.
 */
export class TensorBoardWriter {
  /** The event file's path; TensorBoard reads every `*tfevents*` file in its folder as one run. */
  readonly path: string;
  private fd: number | null;

  /** Creates `dir` if need be and a new event file in it; an existing file is never appended to. */
  constructor(
    /** The log folder: what `tensorboard --logdir` is given. */
    readonly dir: string,
  ) {
    if (typeof dir !== 'string' || dir === '') throw new TypeError(`dir must be a folder path, got ${JSON.stringify(dir)}`);
    mkdirSync(dir, { recursive: true });
    filesOpened += 1;
    const seconds = Math.floor(Date.now() / 1000);
    // TensorBoard reads a folder's files in name order: the padded count keeps this process's in the order opened.
    const count = String(filesOpened).padStart(6, '0');
    this.path = join(dir, `events.out.tfevents.${seconds}.${hostname()}.${process.pid}.${count}`);
    this.fd = openSync(this.path, 'wx');
    this.append(encodeEvent({ wallTimeSeconds: Date.now() / 1000, step: 0, fileVersion: FILE_VERSION }));
  }

  /**
   * Marks a (re)start of training at `step`: TensorBoard drops whatever earlier event files in the folder
   * logged at `step` or later, so a run resumed from a checkpoint replaces the steps it repeats instead
   * of showing them twice.
   */
  startSession(step: number): void {
    checkStep(step);
    this.append(encodeEvent({ wallTimeSeconds: Date.now() / 1000, step, sessionStart: true }));
  }

  /** One number at `step`, stored as float32. */
  scalar(tag: string, value: number, step: number): void {
    this.write(step, [{ tag: checkTag(tag), scalar: value }]);
  }

  /** Several scalars of one step in one event. */
  scalars(values: Readonly<Record<string, number>>, step: number): void {
    const entries = Object.entries(values);
    if (entries.length > 0) this.write(step, entries.map(([tag, scalar]) => ({ tag: checkTag(tag), scalar })));
  }

  /** The values' distribution in equal-width buckets (30 by default). */
  histogram(tag: string, values: ArrayLike<number>, step: number, buckets?: number): void {
    this.write(step, [{ tag: checkTag(tag), histogram: histogramOf(values, buckets) }]);
  }

  /** An 8-bit picture (grey, RGB or RGBA), stored as PNG. */
  image(tag: string, picture: Picture, step: number): void {
    const channels = picture.channels ?? 1;
    const png = encodePng(picture.pixels, picture.width, picture.height, channels);
    this.write(step, [{ tag: checkTag(tag), image: { png, width: picture.width, height: picture.height, channels } }]);
  }

  /** Flushes the file to disk and closes it; later writes throw. Closing twice is harmless. */
  close(): void {
    if (this.fd === null) return;
    const fd = this.fd;
    this.fd = null;
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  private write(step: number, values: readonly SummaryValue[]): void {
    checkStep(step);
    this.append(encodeEvent({ wallTimeSeconds: Date.now() / 1000, step, values }));
  }

  private append(event: Uint8Array): void {
    if (this.fd === null) throw new Error(`the TensorBoard writer for ${this.path} is closed`);
    const record = frameRecord(event);
    let written = 0;
    while (written < record.length) written += writeSync(this.fd, record, written, record.length - written);
  }
}

function checkStep(step: number): void {
  if (!Number.isInteger(step) || step < 0) throw new RangeError(`step must be a whole number >= 0, got ${step}`);
}

function checkTag(tag: string): string {
  if (typeof tag !== 'string' || tag === '') throw new TypeError(`a summary tag must be a non-empty string, got ${JSON.stringify(tag)}`);
  return tag;
}
