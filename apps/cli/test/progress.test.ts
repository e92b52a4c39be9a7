import type { StepEvent } from '@vaekit/core';
import { describe, expect, it } from 'vitest';
import { countProgress, type ProgressStream, TrainProgress } from '../src/progress.js';

/** A stream that records what is written, as a terminal (`isTTY`) or as a pipe. */
function fakeStream(isTTY: boolean, columns = 200): ProgressStream & { writes: string[] } {
  const writes: string[] = [];
  return { isTTY, columns, writes, write: (text: string) => writes.push(text) };
}

/** A clock the test moves by hand. */
function fakeClock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1_000_000;
  return { now: () => t, advance: (ms) => (t += ms) };
}

describe('countProgress (the progress of vaekit eval)', () => {
  it('on a pipe prints one plain line per tenth crossed, with the ETA from the pace so far', () => {
    const stream = fakeStream(false);
    const clock = fakeClock();
    const progress = countProgress(stream, 'evaluating (k=100)', clock.now);
    // 40 batches of 25 examples, one second each.
    for (let done = 25; done <= 1000; done += 25) {
      clock.advance(1000);
      progress.update(done, 1000);
    }
    progress.clear();
    expect(stream.writes).toHaveLength(10);
    expect(stream.writes.every((w) => w.endsWith('\n') && !w.includes('\r'))).toBe(true);
    // A tenth done after 4 s: 36 s to go, at 25 examples a second.
    expect(stream.writes[0]).toBe('evaluating (k=100) 100/1000 (10%)  ETA 36s  25 ex/s\n');
    expect(stream.writes.at(-1)).toBe('evaluating (k=100) 1000/1000 (100%)  ETA 0s  25 ex/s\n');
  });

  it('on a terminal redraws one line in place with a bar, at most ten times a second, and always the last update', () => {
    const stream = fakeStream(true);
    const clock = fakeClock();
    const progress = countProgress(stream, 'evaluating (k=8)', clock.now);
    clock.advance(2000);
    progress.update(1, 4);
    clock.advance(50); // too soon after the last drawing: skipped
    progress.update(2, 4);
    clock.advance(10); // too soon, but the end of the pass: drawn
    progress.update(4, 4);
    expect(stream.writes).toEqual([
      `\revaluating (k=8) 1/4 [#####...............] 25%  ETA 6s  0.5 ex/s\x1b[K`,
      `\revaluating (k=8) 4/4 [####################] 100%  ETA 0s  1.94 ex/s\x1b[K`,
    ]);
    progress.clear();
    expect(stream.writes.at(-1)).toBe('\r\x1b[K');
  });

  it('a note clears the drawn line first, so it starts on a fresh one', () => {
    const stream = fakeStream(true);
    const progress = countProgress(stream, 'evaluating (k=8)');
    progress.update(1, 2);
    progress.note('IWAE log-weights: compiled');
    expect(stream.writes.slice(1)).toEqual(['\r\x1b[K', 'IWAE log-weights: compiled\n']);
  });

  it('cuts the line to a narrow terminal', () => {
    const stream = fakeStream(true, 40);
    countProgress(stream, 'evaluating (k=1000)').update(1, 3);
    const line = stream.writes[0]!.replace('\r', '').replace('\x1b[K', '');
    expect(line).toHaveLength(39);
    expect(line.startsWith('evaluating (k=1000) 1/3 [#######')).toBe(true);
  });
});

describe('TrainProgress (the progress of vaekit train)', () => {
  // Every field of a step event; a type assertion, so a field the trainer adds needs no edit here.
  const event = (epoch: number, batch: number): StepEvent =>
    ({
      epoch,
      epochs: 2,
      batch,
      batches: 5,
      step: (epoch - 1) * 5 + batch,
      totalSteps: 10,
      terms: { total: 90, reconstruction: 80, kl: 10 },
      klWeight: 1,
      learningRate: 1e-3,
      gradientNorm: 1,
      examplesPerSecond: 1000,
      elapsedMs: 1000,
      etaMs: 65_000,
    }) as StepEvent;

  it('on a pipe counts tenths afresh in every epoch', () => {
    const stream = fakeStream(false);
    const progress = new TrainProgress(stream);
    for (const epoch of [1, 2]) for (let batch = 1; batch <= 5; batch++) progress.step(event(epoch, batch));
    expect(stream.writes).toHaveLength(10);
    expect(stream.writes[0]).toBe('epoch 1/2  batch 1/5 (20%)  ETA 1m05s  loss 90  rec 80  kl 10  1000 ex/s\n');
    expect(stream.writes[5]!.startsWith('epoch 2/2  batch 1/5 (20%)')).toBe(true);
  });

  it('on a terminal redraws in place and clears before a message', () => {
    const stream = fakeStream(true);
    const progress = new TrainProgress(stream);
    progress.step(event(1, 5));
    progress.clear();
    expect(stream.writes).toEqual([`\repoch 1/2  batch 5/5 [####################] 100%  ETA 1m05s  loss 90  rec 80  kl 10  1000 ex/s\x1b[K`, '\r\x1b[K']);
  });
});
