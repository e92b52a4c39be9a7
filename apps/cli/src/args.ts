import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './errors.js';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** Flags every command accepts. */
export const COMMON_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  debug: { type: 'boolean' },
} as const satisfies OptionSpec;

export const BACKEND_OPTION = {
  backend: { type: 'string', default: 'auto' },
} as const satisfies OptionSpec;

/** A value that starts with a dash but is a number: `-1`, `-3e-4`, `-.5`, `-Infinity`, `-nan`. */
const NEGATIVE_NUMBER = /^-(\d|\.\d|inf|nan)/i;

/**
 * parseArgs in strict mode: an unknown flag or a missing value is an error, never silently ignored.
 * `--epochs -1` is joined into `--epochs=-1` first: parseArgs would call the value "ambiguous" (it might
 * be a flag), while the flag's own check says plainly what is wrong with -1.
 */
export function parse<const O extends OptionSpec>(args: readonly string[], options: O) {
  try {
    return parseArgs({ args: joinNegativeValues(args, options), options, strict: true, allowPositionals: false });
  } catch (error) {
    // parseArgs' own wording suggests '--' tricks that do not apply here; say what is wrong plainly.
    const code = (error as { code?: string }).code;
    const message = (error as Error).message;
    const flag = /'([^']+)'/.exec(message)?.[1];
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new UsageError(`unknown option '${flag}' (see --help for the options)`);
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') throw new UsageError(`unexpected argument '${flag}' (see --help)`);
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      const name = /'(-[^' ]+)/.exec(message)?.[1] ?? 'an option';
      if (/does not take an argument/.test(message)) throw new UsageError(`${name} takes no value (see --help)`);
      if (/ambiguous/.test(message)) {
        throw new UsageError(`${name} needs a value; to give one that starts with '-', write ${name}=VALUE (see --help)`);
      }
      throw new UsageError(`${name} needs a value (see --help)`);
    }
    throw error;
  }
}

/** `--lr -3` -> `--lr=-3` for string flags whose next argument is a negative number. */
function joinNegativeValues(args: readonly string[], options: OptionSpec): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const next = args[i + 1];
    const name = arg.startsWith('--') && !arg.includes('=') ? arg.slice(2) : undefined;
    if (name !== undefined && Object.hasOwn(options, name) && options[name]?.type === 'string' && next !== undefined && NEGATIVE_NUMBER.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

/** A number flag: absent gives `fallback`; anything that is not a number (or breaks `check`) is a usage error. */
export function numberFlag(
  name: string,
  raw: string | undefined,
  check: { integer?: boolean; min?: number; exclusiveMin?: number } = {},
): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  const what = check.integer ? 'a whole number' : 'a number';
  if (raw.trim() === '' || !Number.isFinite(value) || (check.integer && !Number.isInteger(value))) {
    throw new UsageError(`--${name} must be ${what}, got '${raw}'`);
  }
  if (check.min !== undefined && value < check.min) throw new UsageError(`--${name} must be ${what} >= ${check.min}, got ${raw}`);
  if (check.exclusiveMin !== undefined && value <= check.exclusiveMin) {
    throw new UsageError(`--${name} must be ${what} > ${check.exclusiveMin}, got ${raw}`);
  }
  return value;
}

/** `512,512` -> [512, 512]. */
export function intListFlag(name: string, raw: string | undefined): number[] | undefined {
  if (raw === undefined) return undefined;
  const parts = raw.split(',').map((p) => p.trim());
  if (parts.some((p) => !/^\d+$/.test(p) || Number(p) < 1)) {
    throw new UsageError(`--${name} must be a comma-separated list of whole numbers >= 1 such as 512,512, got '${raw}'`);
  }
  return parts.map(Number);
}

export function choiceFlag<T extends string>(name: string, raw: string | undefined, choices: readonly T[]): T | undefined {
  if (raw === undefined) return undefined;
  if (!(choices as readonly string[]).includes(raw)) throw new UsageError(`--${name} must be one of ${choices.join(', ')}, got '${raw}'`);
  return raw as T;
}

/**
 * Repeated `--set key=value` flags as one object of model-config fields. The value is read as JSON when
 * it parses (`latentDims=[64,32]`, `ema=true`, `flowSteps=4`) and kept as a string otherwise
 * (`klEstimator=monte-carlo`), so variant-specific fields need no flag of their own.
 */
export function configOverrides(raw: readonly string[] | undefined): Record<string, unknown> | undefined {
  if (!raw || raw.length === 0) return undefined;
  const fields: Record<string, unknown> = {};
  for (const entry of raw) {
    const at = entry.indexOf('=');
    const key = at > 0 ? entry.slice(0, at).trim() : '';
    if (!/^(likelihood\.)?[A-Za-z][A-Za-z0-9]*$/.test(key)) {
      throw new UsageError(
        `--set takes key=value with a config field name as key, such as latentDims=[64,32], or likelihood.FIELD for the likelihood's, such as likelihood.sigma=0.1; got '${entry}'`,
      );
    }
    if (key in fields) throw new UsageError(`--set ${key} is given twice`);
    fields[key] = parseValue(entry.slice(at + 1).trim());
  }
  return fields;
}

function parseValue(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
