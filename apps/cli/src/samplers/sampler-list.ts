import { getSampler, listSamplers, UnknownSamplerError, type SamplerDefinition } from '@vaekit/core';
import { UsageError } from '../errors.js';

/** One line per registered sampler: its name and what it draws from, aligned for help text. */
export function samplerListing(indent = '  '): string {
  const samplers = listSamplers();
  const width = Math.max(0, ...samplers.map((s) => s.name.length));
  return samplers.map((s) => `${indent}${s.name.padEnd(width)}  ${s.description}`).join('\n');
}

/** The registered sampler `--sampler` names; an unknown name is a usage error that lists the registered ones. */
export function samplerNamed(name: string | undefined): SamplerDefinition {
  if (name === undefined || name.trim() === '') {
    throw new UsageError(`--sampler is required: one of ${listSamplers().map((s) => s.name).join(', ')} (vaekit fit-sampler --list)`);
  }
  try {
    return getSampler(name);
  } catch (error) {
    if (UnknownSamplerError.isInstance(error)) throw new UsageError(`--sampler: ${error.message}`);
    throw error;
  }
}
