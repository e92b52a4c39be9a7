import { readFileSync } from 'node:fs';
import type { EpochEvent } from '@vaekit/core';
import { writeFileAtomic } from '@vaekit/core/node';
import { runPath } from './run-folder.js';

/** One line of metrics.jsonl: the epoch's terms and nothing that depends on the clock, so reruns compare byte for byte. */
export function metricsLine(event: EpochEvent): Record<string, unknown> {
  return {
    epoch: event.epoch,
    step: event.step,
    train: event.train,
    ...(event.validation ? { validation: event.validation } : {}),
    skippedSteps: event.skippedSteps,
  };
}

/**
 * metrics.jsonl as a function of the run's history: one line per completed epoch, in order. Rewritten
 * whole (atomically) rather than appended, so a resumed run never repeats an epoch's line and ends with
 * the same bytes as a run that was never interrupted.
 */
export async function writeMetrics(out: string, history: readonly EpochEvent[]): Promise<void> {
  const text = history.map((event) => `${JSON.stringify(metricsLine(event))}\n`).join('');
  await writeFileAtomic(runPath(out, 'metrics'), new TextEncoder().encode(text));
}

/** One line of timing.jsonl: wall-clock facts kept apart from metrics.jsonl because they never repeat. */
export interface TimingLine {
  epoch: number;
  step: number;
  /** Time since this process started (or resumed) training. */
  elapsedMs: number;
  /** When the epoch ended. */
  finishedAt: string;
}

/** The timing lines of epochs 1..`epochs`: later ones belong to work the checkpoint does not hold. */
export function readTiming(out: string, epochs: number): TimingLine[] {
  let text: string;
  try {
    text = readFileSync(runPath(out, 'timing'), 'utf8');
  } catch {
    return [];
  }
  const lines: TimingLine[] = [];
  for (const line of text.split('\n')) {
    try {
      const value = JSON.parse(line) as TimingLine;
      if (typeof value.epoch === 'number' && value.epoch <= epochs) lines[value.epoch - 1] = value;
    } catch {
      // A torn or blank line: the timing of that epoch is lost, which is all timing.jsonl can lose.
    }
  }
  return lines.filter((line) => line !== undefined);
}

export async function writeTiming(out: string, lines: readonly TimingLine[]): Promise<void> {
  const text = lines.map((line) => `${JSON.stringify(line)}\n`).join('');
  await writeFileAtomic(runPath(out, 'timing'), new TextEncoder().encode(text));
}
