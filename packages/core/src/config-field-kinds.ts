import type { ConfigField, FailField } from './config-schema.js';

/** The kinds of config field most models need, each with the one message its check gives. */

/** A whole number >= `min`. */
export function wholeNumber(defaultValue: number, min = 1, note = ''): ConfigField<number> {
  return { default: defaultValue, check: (value, fail) => checkWhole(value, min, fail, note) };
}

/** Any whole number (seeds). */
export function anyWholeNumber(defaultValue: number): ConfigField<number> {
  return {
    default: defaultValue,
    check: (value, fail) => (Number.isInteger(value) ? (value as number) : fail(`must be a whole number, got ${String(value)}`)),
  };
}

export interface NumberRange {
  /** Lowest value allowed (default: none). */
  readonly min?: number;
  /** Whether `min` itself is refused. */
  readonly minExclusive?: boolean;
  /** Values must stay below this (exclusive). */
  readonly below?: number;
  readonly note?: string;
}

/** A finite number in a range. */
export function finiteNumber(defaultValue: number, range: NumberRange = {}): ConfigField<number> {
  return { default: defaultValue, check: (value, fail) => checkFinite(value, range, fail) };
}

/** One of a few strings. */
export function oneOf<T extends string>(defaultValue: T, options: readonly T[]): ConfigField<T> {
  return {
    default: defaultValue,
    check: (value, fail) =>
      options.includes(value as T) ? (value as T) : fail(`must be ${options.map((o) => `'${o}'`).join(' or ')}, got ${String(value)}`),
  };
}

/** true or false. */
export function flag(defaultValue: boolean): ConfigField<boolean> {
  return {
    default: defaultValue,
    check: (value, fail) => (typeof value === 'boolean' ? value : fail(`must be true or false, got ${JSON.stringify(value)}`)),
  };
}

/** A list of at least `minLength` whole numbers >= 1 (a copy is kept). */
export function wholeNumbers(defaultValue: readonly number[], minLength = 1, example = ''): ConfigField<readonly number[]> {
  return { default: defaultValue, check: (value, fail) => checkWholeList(value, minLength, fail, example) };
}

export function checkWhole(value: unknown, min: number, fail: FailField, note = '', subfield?: string): number {
  if (Number.isInteger(value) && (value as number) >= min) return value as number;
  return fail(`must be a whole number >= ${min}${note}, got ${String(value)}`, subfield);
}

export function checkFinite(value: unknown, range: NumberRange, fail: FailField, subfield?: string): number {
  const { min, minExclusive = false, below, note = '' } = range;
  const bounds = [min === undefined ? '' : `${minExclusive ? '>' : '>='} ${min}`, below === undefined ? '' : `< ${below}`].filter(Boolean);
  const inRange =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    (min === undefined || (minExclusive ? value > min : value >= min)) &&
    (below === undefined || value < below);
  if (inRange) return value;
  return fail(`must be a finite number${bounds.length ? ` ${bounds.join(' and ')}` : ''}${note}, got ${String(value)}`, subfield);
}

export function checkWholeList(value: unknown, minLength: number, fail: FailField, example = '', subfield = ''): number[] {
  if (!Array.isArray(value) || value.length < minLength) {
    const plural = minLength === 1 ? 'one whole number' : `${minLength} whole numbers`;
    return fail(`must be an array of at least ${plural} >= 1${example}, got ${JSON.stringify(value)}`, subfield);
  }
  return value.map((v, i) => checkWhole(v, 1, fail, '', `${subfield}[${i}]`));
}
