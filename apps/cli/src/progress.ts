import type { StepEvent } from '@vaekit/core';
import { formatDuration, formatNumber, formatTerms } from './format.js';

/** A stream the progress display writes to: stderr in the CLI, a fake in tests. */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

/** `[#####.....]`: `fraction` of `width` cells filled. */
export function bar(fraction: number, width: number): string {
  const filled = Math.max(0, Math.min(width, Math.round(fraction * width)));
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

/**
 * Training progress. On a terminal one line is redrawn in place (at most ~10 times a second, so drawing
 * never costs more than the steps); elsewhere (CI logs, pipes) a plain line is printed each time an
 * epoch crosses another tenth, so logs stay short and readable.
 */
export class TrainProgress {
  private lastDraw = 0;
  private lastTenth = new Map<number, number>();
  private drawn = false;

  constructor(private readonly stream: ProgressStream) {}

  step(event: StepEvent): void {
    const fraction = event.batch / event.batches;
    const head = `epoch ${event.epoch}/${event.epochs}  batch ${event.batch}/${event.batches}`;
    const tail = `ETA ${formatDuration(event.etaMs)}  ${formatTerms(event.terms)}  ${formatNumber(event.examplesPerSecond, 3)} ex/s`;
    if (this.stream.isTTY) {
      const now = Date.now();
      if (now - this.lastDraw < 100 && event.batch !== event.batches) return;
      this.lastDraw = now;
      const line = `${head} ${bar(fraction, 20)} ${Math.floor(fraction * 100)}%  ${tail}`;
      // Some pseudo-terminals report 0 columns; fall back to a common width rather than cutting the line to nothing.
      const width = this.stream.columns && this.stream.columns >= 40 ? this.stream.columns : 120;
      this.stream.write(`\r${line.slice(0, width - 1)}\x1b[K`);
      this.drawn = true;
      return;
    }
    const tenth = Math.floor(fraction * 10);
    if (tenth > (this.lastTenth.get(event.epoch) ?? 0)) {
      this.lastTenth.set(event.epoch, tenth);
      this.stream.write(`${head} (${Math.floor(fraction * 100)}%)  ${tail}\n`);
    }
  }

  /** Ends the in-place line so the next message starts on a fresh one. */
  clear(): void {
    if (this.drawn && this.stream.isTTY) this.stream.write('\r\x1b[K');
    this.drawn = false;
  }
}

/** Progress of a pass over data (eval): the same TTY/plain split, for `done` of `total` examples. */
export function countProgress(
  stream: ProgressStream,
  label: string,
): { update(done: number, total: number): void; note(line: string): void; clear(): void } {
  let lastTenth = 0;
  let drawn = false;
  const started = Date.now();
  return {
    update(done, total) {
      const fraction = total > 0 ? done / total : 1;
      const elapsed = Date.now() - started;
      const eta = fraction > 0 ? (elapsed / fraction) * (1 - fraction) : Number.NaN;
      if (stream.isTTY) {
        stream.write(`\r${label} ${done}/${total} ${bar(fraction, 20)} ${Math.floor(fraction * 100)}%  ETA ${formatDuration(eta)}\x1b[K`);
        drawn = true;
        return;
      }
      const tenth = Math.floor(fraction * 10);
      if (tenth > lastTenth) {
        lastTenth = tenth;
        stream.write(`${label} ${done}/${total} (${Math.floor(fraction * 100)}%)\n`);
      }
    },
    /** A line of its own above the progress. */
    note(line) {
      if (drawn) stream.write('\r\x1b[K');
      drawn = false;
      stream.write(`${line}\n`);
    },
    clear() {
      if (drawn) stream.write('\r\x1b[K');
      drawn = false;
    },
  };
}
