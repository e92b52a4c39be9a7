import type { CheckpointStore, EpochEvent, VaeModel } from '../../src/index.js';

/** A store that keeps every checkpoint ever saved, so a test can resume from each stop point in turn. */
export function recordingStore(): CheckpointStore & { readonly saved: Uint8Array[] } {
  const saved: Uint8Array[] = [];
  return {
    location: 'recording store',
    saved,
    async save(bytes) {
      saved.push(bytes.slice());
    },
    async load() {
      const latest = saved.at(-1);
      return latest ? latest.slice() : null;
    },
  };
}

/** A store holding one given checkpoint: a run "killed" right after writing it, resumed from it. */
export function storeWith(bytes: Uint8Array): CheckpointStore {
  let latest = bytes.slice();
  return {
    location: 'stop-point store',
    async save(next) {
      latest = next.slice();
    },
    async load() {
      return latest.slice();
    },
  };
}

export async function weightsOf(model: VaeModel): Promise<number[][]> {
  return Promise.all(model.variables().map(async (v) => Array.from(await v.variable.data())));
}

/** An epoch event without its wall-clock time, the one field that is not a function of the run. */
export function withoutTime(event: EpochEvent): Omit<EpochEvent, 'elapsedMs'> {
  const { elapsedMs: _elapsed, ...rest } = event;
  return rest;
}
