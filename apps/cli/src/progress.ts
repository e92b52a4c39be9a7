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
 * One progress display on a stream, shared by train and eval. On a terminal one line is redrawn in place
 * (at most ~10 times a second, so drawing never costs more than the work, and always at the end of a pass),
 * cut to the terminal's width; elsewhere (CI logs, pipes) a plain line is printed each time a pass crosses
 * another tenth, so logs stay short and readable.
 */
export class ProgressLine {
  private lastDraw = 0;
  private lastTenth = 0;
  private drawn = false;

  /** `now`: the clock that paces redraws (a fake one in tests). */
  constructor(
    private readonly stream: ProgressStream,
    private readonly now: () => number = Date.now,
  ) {}

  /** A new pass (train's next epoch): its tenths count from zero again. */
  restart(): void {
    this.lastTenth = 0;
  }

  /** Shows `fraction` of the pass done: `terminalLine` redrawn on a terminal, `plainLine` printed elsewhere. */
  show(fraction: number, terminalLine: () => string, plainLine: () => string): void {
    if (this.stream.isTTY) {
      const now = this.now();
      if (now - this.lastDraw < 100 && fraction < 1) return;
      this.lastDraw = now;
      // Some pseudo-terminals report 0 columns; fall back to a common width rather than cutting the line to nothing.
      const width = this.stream.columns && this.stream.columns >= 40 ? this.stream.columns : 120;
      this.stream.write(`\r${terminalLine().slice(0, width - 1)}\x1b[K`);
      this.drawn = true;
      return;
    }
    const tenth = Math.floor(fraction * 10);
    if (tenth > this.lastTenth) {
      this.lastTenth = tenth;
      this.stream.write(`${plainLine()}\n`);
    }
  }

  /** Ends the in-place line so the next message starts on a fresh one. */
  clear(): void {
    if (this.drawn && this.stream.isTTY) this.stream.write('\r\x1b[K');
    this.drawn = false;
  }
}

/** `37%`: the whole percent done, never rounded up to a finish that has not happened. */
function percent(fraction: number): string {
  return `${Math.floor(fraction * 100)}%`;
}

/** Training progress: epoch, batch, ETA, the step's terms and the speed. */
export class TrainProgress {
  private readonly line: ProgressLine;
  private epoch: number | null = null;

  constructor(stream: ProgressStream) {
    this.line = new ProgressLine(stream);
  }

  step(event: StepEvent): void {
    if (event.epoch !== this.epoch) {
      this.epoch = event.epoch;
      this.line.restart();
    }
    const fraction = event.batch / event.batches;
    const head = `epoch ${event.epoch}/${event.epochs}  batch ${event.batch}/${event.batches}`;
    const tail = `ETA ${formatDuration(event.etaMs)}  ${formatTerms(event.terms)}  ${formatNumber(event.examplesPerSecond, 3)} ex/s`;
    this.line.show(
      fraction,
      () => `${head} ${bar(fraction, 20)} ${percent(fraction)}  ${tail}`,
      () => `${head} (${percent(fraction)})  ${tail}`,
    );
  }

  /** Ends the in-place line so the next message starts on a fresh one. */
  clear(): void {
    this.line.clear();
  }
}

/** Progress of a pass over data (eval), as `done` of `total` examples, with an ETA from the pace so far. */
export interface CountProgress {
  update(done: number, total: number): void;
  /** A line of its own above the progress. */
  note(line: string): void;
  clear(): void;
}

/** A `CountProgress` labelled `label` on `stream`, timed from now. */
export function countProgress(stream: ProgressStream, label: string, now: () => number = Date.now): CountProgress {
  const line = new ProgressLine(stream, now);
  const started = now();
  return {
    update(done, total) {
      const fraction = total > 0 ? done / total : 1;
      const elapsed = now() - started;
      const eta = fraction > 0 ? (elapsed / fraction) * (1 - fraction) : Number.NaN;
      const speed = elapsed > 0 ? `  ${formatNumber((done * 1000) / elapsed, 3)} ex/s` : '';
      const head = `${label} ${done}/${total}`;
      line.show(
        fraction,
        () => `${head} ${bar(fraction, 20)} ${percent(fraction)}  ETA ${formatDuration(eta)}${speed}`,
        () => `${head} (${percent(fraction)})  ETA ${formatDuration(eta)}${speed}`,
      );
    },
    note(text) {
      line.clear();
      stream.write(`${text}\n`);
    },
    clear() {
      line.clear();
    },
  };
}
