import * as tf from '@tensorflow/tfjs-core';
import { ExportError } from './export-error.js';

/** The parts `exportModel` writes, each a LayersModel of its own. */
export type ExportPart = 'encoder' | 'decoder' | 'codebook';

/**
 * Where each part goes: a base URL of a registered tfjs IO handler (`indexeddb://name`, `downloads://name`,
 * `http://…`, or `file://dir` where a file handler is registered), under which each part is written as
 * `BASE/part` (`downloads://name-part`, since a download has no folders); or a function giving each
 * part's URL or IO handler.
 */
export type ExportTarget = string | ((part: ExportPart) => string | tf.io.IOHandler);

/** The URL a part is written to under a base URL. */
export function partUrl(base: string, part: ExportPart): string {
  const trimmed = base.replace(/\/+$/, '');
  return trimmed.startsWith('downloads://') ? `${trimmed}-${part}` : `${trimmed}/${part}`;
}

export function resolvePartHandler(target: ExportTarget, part: ExportPart): tf.io.IOHandler {
  const chosen = typeof target === 'string' ? partUrl(target, part) : target(part);
  if (typeof chosen !== 'string') return chosen;
  const handlers = tf.io.getSaveHandlers(chosen);
  if (handlers.length === 0) {
    const hint = chosen.startsWith('file://')
      ? "; in Node, use exportModel from '@vaekit/core/node', which writes files itself"
      : '; use indexeddb://, downloads:// or http(s):// in a browser, or pass an IO handler';
    throw new ExportError(`no TensorFlow.js IO handler saves to ${chosen}${hint}`);
  }
  if (handlers.length > 1) throw new ExportError(`more than one TensorFlow.js IO handler saves to ${chosen}; pass an IO handler instead`);
  return handlers[0]!;
}
