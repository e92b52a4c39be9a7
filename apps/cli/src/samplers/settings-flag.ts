import { UsageError } from '../errors.js';

/**
 * Repeated `--set key=value` flags as a sampler's `settings`. The value is read as JSON when it parses
 * (`components=8`, `hidden=[64,64]`, `fullCovariance=true`) and kept as a string otherwise
 * (`covariance=diagonal`), as train's `--set` does; the sampler itself checks the keys and values.
 */
export function samplerSettings(raw: readonly string[] | undefined): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  for (const entry of raw ?? []) {
    const at = entry.indexOf('=');
    const key = at > 0 ? entry.slice(0, at).trim() : '';
    if (!/^[A-Za-z][A-Za-z0-9]*$/.test(key)) {
      throw new UsageError(`--set takes key=value with a sampler setting as key, such as components=8; got '${entry}'`);
    }
    if (Object.hasOwn(settings, key)) throw new UsageError(`--set ${key} is given twice`);
    settings[key] = parseValue(entry.slice(at + 1).trim());
  }
  return settings;
}

function parseValue(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
