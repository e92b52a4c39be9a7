import type { CheckpointStore } from '@vaekit/core';
import type { TrainSession } from './session.js';

/**
 * Wraps the checkpoint store so the session knows which step the newest complete checkpoint holds, and
 * no message ever claims one that is not there. `beforeSave` runs first (a resume's deferred writes).
 */
export function trackedStore(store: CheckpointStore, session: TrainSession, beforeSave: () => Promise<void>): CheckpointStore {
  return {
    location: store.location,
    load: () => store.load(),
    async save(bytes) {
      await beforeSave();
      session.saving = true;
      try {
        await store.save(bytes);
        session.savedStep = session.step;
      } finally {
        session.saving = false;
      }
    },
  };
}
