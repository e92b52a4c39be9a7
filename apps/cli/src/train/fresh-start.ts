import { inspectRunFolder, type FolderState } from '../run-folder.js';
import { UsageError } from '../errors.js';

/**
 * A plain `train` (or `--force`) into `out`: refuses a folder holding a run to resume or someone else's
 * files (unless --force), and returns the state to clear when the folder holds a run that stopped
 * before its first checkpoint, which a plain rerun starts over.
 */
export function planFreshStart(out: string, force: boolean): FolderState {
  const state = inspectRunFolder(out);
  if (force) return state;
  if (state.kind === 'run') {
    throw new UsageError(`${out} already holds a run: pass --resume to continue it, --force to start over, or another --out`);
  }
  if (state.kind === 'foreign') {
    throw new UsageError(
      `${out} already holds files that are not a vaekit run (${state.files.slice(0, 3).join(', ')}${state.files.length > 3 ? ', ...' : ''}): ` +
        'use another --out, or --force to train into it anyway (only vaekit\'s own files are replaced)',
    );
  }
  return state;
}

/** Whether the folder holds run files to clear before a fresh start, and a note to print when it does. */
export function clearBeforeStart(state: FolderState | null, out: string): { clear: boolean; note: string | null } {
  if (!state || state.kind === 'missing' || state.kind === 'empty') return { clear: false, note: null };
  return {
    clear: true,
    note: state.kind === 'unfinished' ? `note: ${out} holds a run that stopped before its first checkpoint; starting it over` : null,
  };
}
