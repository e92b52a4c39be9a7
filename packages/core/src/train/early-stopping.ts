import { checkMonitor, DEFAULT_MONITOR, type Monitor } from '../lr-schedule/monitor.js';

/** Stop when a monitored figure stops improving, and keep the weights of its best epoch. */
export interface EarlyStoppingOptions {
  /** The figure watched at every epoch's end; lower is better. Default 'validation.total' (the held-out loss). */
  monitor?: Monitor;
  /** Epochs in a row without an improvement after which training stops. */
  patience: number;
  /** How far below the best a value must be to count as an improvement. Default 0. */
  minDelta?: number;
  /**
   * Put the best epoch's weights back into the model when training ends (completed or stopped early,
   * not aborted). It does not shape the run, so a resume may change it. Default false.
   */
  restoreBest?: boolean;
}

/** Early stopping's settings as a checkpoint records them (a resume must keep them). */
export interface EarlyStoppingRule {
  /** The figure watched (lower is better). */
  readonly monitor: Monitor;
  /** Epochs in a row without an improvement that end the run. */
  readonly patience: number;
  /** How far below the best a value must be to count as an improvement. */
  readonly minDelta: number;
}

/** Where early stopping stands, saved in every checkpoint so a resumed run stops at the same epoch. */
export interface EarlyStoppingState {
  /** The best monitored value; null before the first epoch ends. */
  readonly best: number | null;
  /** The epoch (1-based) that reached `best`; 0 before the first epoch ends. */
  readonly bestEpoch: number;
  /** Epochs in a row since the best. */
  readonly badEpochs: number;
  /** True once patience ran out: the run is over, and a resume trains nothing more. */
  readonly stopped: boolean;
}

export const EARLY_STOPPING_START: EarlyStoppingState = { best: null, bestEpoch: 0, badEpochs: 0, stopped: false };

export function resolveEarlyStopping(options: EarlyStoppingOptions, hasValidation: boolean): EarlyStoppingRule {
  if (!options || typeof options !== 'object') throw new RangeError(`earlyStopping must be an object, got ${JSON.stringify(options)}`);
  const { patience, minDelta = 0 } = options;
  if (typeof patience !== 'number' || !Number.isInteger(patience) || patience < 1) {
    throw new RangeError(`earlyStopping.patience must be a whole number of epochs >= 1, got ${JSON.stringify(patience)}`);
  }
  if (typeof minDelta !== 'number' || !Number.isFinite(minDelta) || minDelta < 0) {
    throw new RangeError(`earlyStopping.minDelta must be a finite number >= 0, got ${JSON.stringify(minDelta)}`);
  }
  const monitor = checkMonitor('earlyStopping.monitor', options.monitor ?? DEFAULT_MONITOR, hasValidation);
  return { monitor, patience, minDelta };
}

/** The state after an epoch (1-based `epoch`) whose monitored figure was `value`. */
export function earlyStoppingAfterEpoch(
  state: EarlyStoppingState,
  rule: EarlyStoppingRule,
  epoch: number,
  value: number,
): { readonly state: EarlyStoppingState; readonly improved: boolean } {
  if (state.best === null || value < state.best - rule.minDelta) {
    return { state: { best: value, bestEpoch: epoch, badEpochs: 0, stopped: false }, improved: true };
  }
  const badEpochs = state.badEpochs + 1;
  return { state: { ...state, badEpochs, stopped: badEpochs >= rule.patience }, improved: false };
}
