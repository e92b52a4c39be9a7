import type { EpochEvent } from '../train/events.js';

/**
 * An epoch-end figure to watch, named `<part>.<term>` after an `EpochEvent`'s fields: `validation.total`
 * (the held-out loss, −ELBO), `validation.reconstruction`, `train.total`, … Every one is a loss: lower is
 * better.
 */
export type Monitor = `train.${string}` | `validation.${string}`;

export const DEFAULT_MONITOR: Monitor = 'validation.total';

/** Refuses a monitor that names no epoch figure, or a validation figure when the run validates nothing. */
export function checkMonitor(field: string, monitor: unknown, hasValidation: boolean): Monitor {
  if (typeof monitor !== 'string' || !/^(train|validation)\.[A-Za-z_][\w]*$/.test(monitor)) {
    throw new RangeError(
      `${field} must name an epoch figure as 'validation.<term>' or 'train.<term>' (e.g. 'validation.total'), got ${JSON.stringify(monitor)}`,
    );
  }
  if (monitor.startsWith('validation.') && !hasValidation) {
    throw new RangeError(`${field} is '${monitor}', which needs a validation set: pass \`validation\`, or monitor a 'train.<term>'`);
  }
  return monitor as Monitor;
}

/** The monitored figure of an epoch; a term the model does not report is an error naming the ones it does. */
export function monitoredValue(event: EpochEvent, monitor: Monitor, field: string): number {
  const dot = monitor.indexOf('.');
  const part = monitor.slice(0, dot) as 'train' | 'validation';
  const term = monitor.slice(dot + 1);
  const terms = event[part];
  const value = terms?.[term];
  if (value === undefined) {
    throw new RangeError(
      `${field} is '${monitor}', but epoch events have no such figure; ${part} terms are ${Object.keys(terms ?? {}).join(', ') || 'none'}`,
    );
  }
  return value;
}
