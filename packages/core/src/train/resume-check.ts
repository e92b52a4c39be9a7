import type { DataFingerprint } from '../dataset.js';
import type { LoopState, RunSettings, TrainingEnvironment } from './checkpoint.js';
import { DEFAULT_LEARNING_RATE, type OptimizerConfig } from './optimizer.js';
import type { ResumeChangeable, RunChange } from './run-changes.js';

export interface ResumeCheck {
  /** What could not be checked, or why the continuation will not repeat an uninterrupted run exactly. */
  readonly notes: string[];
  /** The allowed changes this resume makes, to be recorded. */
  readonly changes: RunChange[];
}

/**
 * Refuses a resume whose settings or data differ from the checkpoint's (a RangeError naming each
 * difference, old and new), but for the settings `allowed` lets change; returns those changes and notes
 * on what could not be checked or will not repeat exactly.
 */
export function checkResume(
  saved: LoopState,
  current: RunSettings,
  optimizer: OptimizerConfig,
  environment: TrainingEnvironment,
  location: string,
  allowed: readonly ResumeChangeable[] = [],
): ResumeCheck {
  const mismatches: string[] = [];
  const notes: string[] = [];
  const changes: RunChange[] = [];
  const compare = <T>(name: string, was: T, now: T, show: (value: T) => string = showValue, hint = ''): void => {
    if (canonicalJson(was) !== canonicalJson(now)) mismatches.push(`${name} ${show(was)} (now ${show(now)}${hint})`);
  };
  const changeHint = (setting: ResumeChangeable): string => `; allowResumeChanges: ['${setting}'] lets a resume change it`;
  compare('seed', saved.run.seed, current.seed);
  compare('batchSize', saved.run.batchSize, current.batchSize);
  const was = saved.run;
  compare('klSchedule', was.klSchedule, current.klSchedule);
  compare('freeBits', was.freeBits, current.freeBits);
  const rateWas = saved.optimizer.learningRate ?? DEFAULT_LEARNING_RATE;
  const rateNow = optimizer.learningRate ?? DEFAULT_LEARNING_RATE;
  if (allowed.includes('learningRate')) {
    compare('optimizer', { ...saved.optimizer, learningRate: 0 }, { ...optimizer, learningRate: 0 }, (o) => showValue({ ...o, learningRate: undefined }));
    if (rateWas !== rateNow) changes.push({ step: saved.step, setting: 'learningRate', from: rateWas, to: rateNow });
  } else {
    compare('optimizer', saved.optimizer, optimizer, showValue, rateWas !== rateNow ? changeHint('learningRate') : '');
  }
  if (allowed.includes('learningRateSchedule')) {
    if (canonicalJson(was.learningRateSchedule) !== canonicalJson(current.learningRateSchedule)) {
      changes.push({ step: saved.step, setting: 'learningRateSchedule', from: was.learningRateSchedule, to: current.learningRateSchedule });
    }
  } else {
    compare('learningRateSchedule', was.learningRateSchedule, current.learningRateSchedule, showValue, changeHint('learningRateSchedule'));
  }
  compare('clipGradientNorm', was.clipGradientNorm, current.clipGradientNorm);
  compare('earlyStopping', was.earlyStopping, current.earlyStopping);
  // The NaN policy has shaped the run only once a step was skipped: until then every policy reaches the
  // same state (a 'throw' run that met a NaN stopped there, with no later checkpoint), so switching
  // before that is exact, and is how a run that stopped on a NaN is continued with `skip`.
  if (saved.skippedSteps > 0) {
    compare('onNonFinite', was.onNonFinite, current.onNonFinite);
    compare('maxSkippedSteps', was.maxSkippedSteps, current.maxSkippedSteps);
  }
  compare('data', was.data, current.data, describeData);
  compare('validation', was.validation?.data ?? null, current.validation?.data ?? null, describeData);
  if (was.validation && current.validation) {
    compare('validationLimit', was.validation.limit, current.validation.limit, (limit: number | null) => `${limit ?? 'all'}`);
  }
  const before = describeEnvironment(saved.environment);
  const now = describeEnvironment(environment);
  if (before !== now) {
    notes.push(
      `the run was trained ${before}; it continues ${now}: its steps round differently, so it will not match an ` +
        'uninterrupted run bit for bit',
    );
  }
  if (mismatches.length) {
    throw new RangeError(
      `cannot resume from ${location}: it was written with ${mismatches.join(', ')}. ` +
        "Resume with the run's own settings and data, or start a new run (in another folder, or without resuming).",
    );
  }
  return { notes, changes };
}

function showValue(value: unknown): string {
  return typeof value === 'object' && value !== null ? canonicalJson(value) : String(value);
}

function describeData(fingerprint: DataFingerprint | null): string {
  if (!fingerprint) return 'none';
  return `${fingerprint.size} examples of [${fingerprint.exampleShape.join(', ')}], content ${fingerprint.hash.slice(0, 12)}`;
}

/** How steps run there: the compile setting matters only on native, where steps can be compiled. */
function describeEnvironment({ backend, compile }: TrainingEnvironment): string {
  if (backend !== 'tensorflow') return `on ${backend}, op by op`;
  return `on native, ${compile === false ? 'op by op' : compile === 'xla' ? 'compiled with XLA' : 'compiled'}`;
}

/** JSON with object keys sorted, so two configs that differ only in key order compare equal. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}
