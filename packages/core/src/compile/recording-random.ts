import type * as tf from '@tensorflow/tfjs-core';
import { SeededRandom } from '../random.js';

type DrawMethod = 'normal' | 'uniform';
type NumberMethod = 'nextUint32' | 'nextFloat' | 'nextSeed';

/** One public call on a generator of the traced step: which stream (0 = the root, then forks in order). */
export type RandomCall =
  | { readonly stream: number; readonly method: DrawMethod; readonly shape: readonly number[] }
  | { readonly stream: number; readonly method: NumberMethod | 'fork' };

interface RecordingLog {
  readonly calls: RandomCall[];
  streams: number;
  readonly onDraw: (tensor: tf.Tensor, drawIndex: number) => void;
  draws: number;
}

/**
 * A SeededRandom that logs every public call, so the compiled step can replay the same calls on a
 * fresh generator with each step's seed and pass the draws in as inputs: the noise of a compiled step
 * is then exactly the noise the eager step would have drawn.
 */
export class RecordingRandom extends SeededRandom {
  private depth = 0;

  private constructor(
    seed: number,
    private readonly log: RecordingLog,
    private readonly stream: number,
  ) {
    super(seed);
  }

  static root(seed: number, onDraw: (tensor: tf.Tensor, drawIndex: number) => void): { rng: RecordingRandom; calls: RandomCall[] } {
    const log: RecordingLog = { calls: [], streams: 1, onDraw, draws: 0 };
    return { rng: new RecordingRandom(seed, log, 0), calls: log.calls };
  }

  private logged<T>(call: RandomCall, run: () => T): T {
    if (this.depth === 0) this.log.calls.push(call);
    this.depth++;
    try {
      return run();
    } finally {
      this.depth--;
    }
  }

  override nextUint32(): number {
    return this.logged({ stream: this.stream, method: 'nextUint32' }, () => super.nextUint32());
  }

  override nextFloat(): number {
    return this.logged({ stream: this.stream, method: 'nextFloat' }, () => super.nextFloat());
  }

  override nextSeed(): number {
    return this.logged({ stream: this.stream, method: 'nextSeed' }, () => super.nextSeed());
  }

  override fork(): SeededRandom {
    return this.logged({ stream: this.stream, method: 'fork' }, () => {
      const seed = super.nextSeed();
      return new RecordingRandom(seed, this.log, this.log.streams++);
    });
  }

  override normal(shape: readonly number[]): tf.Tensor {
    return this.draw('normal', shape, () => super.normal(shape));
  }

  override uniform(shape: readonly number[]): tf.Tensor {
    return this.draw('uniform', shape, () => super.uniform(shape));
  }

  private draw(method: DrawMethod, shape: readonly number[], make: () => tf.Tensor): tf.Tensor {
    const top = this.depth === 0;
    const tensor = this.logged({ stream: this.stream, method, shape: [...shape] }, make);
    if (top) this.log.onDraw(tensor, this.log.draws++);
    return tensor;
  }
}

/** Replays a step's calls on a generator seeded like the eager step's; returns the draws in call order. */
export function replayDraws(calls: readonly RandomCall[], seed: number): tf.Tensor[] {
  const streams: SeededRandom[] = [new SeededRandom(seed)];
  const draws: tf.Tensor[] = [];
  for (const call of calls) {
    const stream = streams[call.stream]!;
    switch (call.method) {
      case 'normal':
        draws.push(stream.normal(call.shape));
        break;
      case 'uniform':
        draws.push(stream.uniform(call.shape));
        break;
      case 'fork':
        streams.push(stream.fork());
        break;
      default:
        stream[call.method]();
    }
  }
  return draws;
}
