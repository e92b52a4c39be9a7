import { fileURLToPath } from 'node:url';

export { read } from './read.js';
export { runChild, type ChildLimits, type ChildOutcome } from './run-child.js';
export { useCpu } from './setup-backend.js';

/**
 * The path of the script that loads one model or checkpoint file in a child process (usage in the file);
 * run it with `runChild`. Resolved from this module, which sits one folder below the package root both
 * as source and as built code.
 */
export const LOAD_IN_CHILD = fileURLToPath(new URL('../fixtures/load-in-child.mjs', import.meta.url));
export { readWithTensorBoard, tensorBoardMissing, type ReadBack } from './tensorboard-reader.js';
