import type { ModelConfig } from './model.js';

/**
 * Throws the config error for the field being checked: a RangeError naming the model and the field
 * (`subfield` extends the name for a nested value, e.g. `.hiddenUnits[0]`).
 */
export type FailField = (message: string, subfield?: string) => never;

/** One config field: its default and its check. */
export interface ConfigField<T> {
  readonly default: T;
  /**
   * Checks a value (the caller's, or the default) and returns what the config keeps: the value itself,
   * or a copy with nested defaults filled in. Calls `fail` for a value the model cannot use.
   */
  readonly check: (value: unknown, fail: FailField) => T;
}

/** A config's own field names, without its index signature and without `className`. */
export type ConfigFieldName<C> = Exclude<
  keyof { [K in keyof C as string extends K ? never : number extends K ? never : K]: true },
  'className'
>;

export type ConfigFields<C> = { readonly [K in ConfigFieldName<C>]: ConfigField<C[K]> };

/** Checks across fields once each field is checked; may derive fields from others. */
export type FinishConfig<C> = (
  config: C,
  given: Readonly<Record<string, unknown>>,
  fail: (field: string, message: string) => never,
) => C;

/**
 * A model's config, declared: its registered class name, each field's default and check, and the checks
 * across fields. A variant's schema extends its parent's (`extendSchema`), adding fields, overriding
 * defaults, and adding cross-field checks after the parent's.
 */
export interface ConfigSchema<C extends ModelConfig> {
  readonly className: string;
  readonly fields: ConfigFields<C>;
  readonly finish?: FinishConfig<C>;
}

export function defineSchema<C extends ModelConfig>(className: string, fields: ConfigFields<C>, finish?: FinishConfig<C>): ConfigSchema<C> {
  return finish ? { className, fields, finish } : { className, fields };
}

/** `base` with more fields (or other defaults for its own) under another class name; `finish` runs after the base's. */
export function extendSchema<B extends ModelConfig, C extends B>(
  base: ConfigSchema<B>,
  extension: {
    readonly className: string;
    readonly fields: Omit<ConfigFields<C>, ConfigFieldName<B>> & Partial<ConfigFields<B>>;
    readonly finish?: FinishConfig<C>;
  },
): ConfigSchema<C> {
  // The spread holds every field of C: B's from the base, the rest from the extension.
  const fields = { ...base.fields, ...extension.fields } as unknown as ConfigFields<C>;
  const baseFinish = base.finish as FinishConfig<C> | undefined;
  const own = extension.finish;
  const finish: FinishConfig<C> | undefined =
    baseFinish && own ? (config, given, fail) => own(baseFinish(config, given, fail), given, fail) : (own ?? baseFinish);
  return defineSchema<C>(extension.className, fields, finish);
}

/** A field with another default and the same check. */
export function withDefault<T>(field: ConfigField<T>, value: T): ConfigField<T> {
  return { default: value, check: field.check };
}

/** Every field's default (fresh copies), without `className`. */
export function schemaDefaults<C extends ModelConfig>(schema: ConfigSchema<C>): Omit<C, 'className'> {
  const entries = Object.entries<ConfigField<unknown>>(schema.fields).map(([name, field]) => [name, structuredClone(field.default)]);
  return Object.fromEntries(entries) as Omit<C, 'className'>;
}

/**
 * The complete, checked config for a partial one: defaults filled, every field checked, then the
 * cross-field checks. Fields given as `undefined` count as not given; a field the schema does not have
 * is refused, naming the fields it has (a misspelt field would otherwise be saved and silently ignored).
 */
export function resolveConfig<C extends ModelConfig>(schema: ConfigSchema<C>, partial: object = {}): C {
  const { className } = schema;
  const given = Object.fromEntries(Object.entries(partial).filter(([, value]) => value !== undefined));
  const fields = Object.entries<ConfigField<unknown>>(schema.fields);
  rejectUnknownFields(className, given, ['className', ...fields.map(([name]) => name)]);
  const failOn = (field: string, message: string): never => {
    throw new RangeError(`${className}: ${field} ${message}`);
  };
  const config: Record<string, unknown> = { className };
  for (const [name, field] of fields) {
    const value = name in given ? given[name] : structuredClone(field.default);
    config[name] = field.check(value, (message, subfield = '') => failOn(`${name}${subfield}`, message));
  }
  // Every field of C is set above, each by its own field's check.
  const checked = config as C;
  return schema.finish ? schema.finish(checked, given, failOn) : checked;
}

/** Refuses config fields outside `known`, naming the model and the fields it has. */
export function rejectUnknownFields(className: string, config: object, known: Iterable<string>): void {
  const fields = new Set(known);
  const unknown = Object.keys(config).filter((key) => !fields.has(key));
  if (unknown.length === 0) return;
  const names = unknown.map((key) => `'${key}'`).join(', ');
  throw new RangeError(`${className} has no config field ${names}; its fields are ${[...fields].sort().join(', ')}`);
}
