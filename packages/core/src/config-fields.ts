/**
 * Rejects config fields a model does not have. Model factories fill defaults by spreading the given
 * config, so without this a misspelt field (`latentDims` given to a plain VAE, `flowstep` for
 * `flowSteps`) would be kept, saved and silently ignored.
 */
export function rejectUnknownFields(className: string, config: object, known: Iterable<string>): void {
  const fields = new Set(known);
  const unknown = Object.keys(config).filter((key) => !fields.has(key));
  if (unknown.length === 0) return;
  const names = unknown.map((key) => `'${key}'`).join(', ');
  throw new RangeError(`${className} has no config field ${names}; its fields are ${[...fields].sort().join(', ')}`);
}
