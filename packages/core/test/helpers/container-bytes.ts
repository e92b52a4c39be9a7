import { createHash } from 'node:crypto';
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { CorruptFileError } from '../../src/index.js';

/**
 * Byte-level tools for the container tests: the format-1 writer (pre-release builds wrote it; a file of it
 * must be refused), a format-2 writer for hand-made headers (to craft files whose checksums are all
 * valid), and the checks every refusal must pass.
 */

const PREFIX_BYTES = 12;

function sha256(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(bytes).digest());
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

function prefix(magic: string, headerLength: number): Uint8Array {
  const out = new Uint8Array(PREFIX_BYTES);
  out.set(new TextEncoder().encode(magic), 0);
  new DataView(out.buffer).setUint32(8, headerLength, true);
  return out;
}

/** A container exactly as format 1 wrote it: magic, length, header JSON, payload. */
export function encodeV1(kind: string, meta: unknown, sections: Readonly<Record<string, Uint8Array>>): Uint8Array {
  let offset = 0;
  const layout = Object.entries(sections).map(([name, bytes]) => {
    const entry = { name, byteOffset: offset, byteLength: bytes.byteLength };
    offset += bytes.byteLength;
    return entry;
  });
  const payload = concat(...Object.values(sections));
  const header = new TextEncoder().encode(
    JSON.stringify({ kind, meta, sections: layout, payloadSha256: Buffer.from(sha256(payload)).toString('hex') }),
  );
  return concat(prefix('VAEKIT01', header.byteLength), header, payload);
}

/** A format-2 container around any header text, with both digests right: what a crafted file looks like. */
export function craftV2(headerText: string | Uint8Array, payload: Uint8Array): Uint8Array {
  const header = typeof headerText === 'string' ? new TextEncoder().encode(headerText) : headerText;
  const head = concat(prefix('VAEKIT02', header.byteLength), header);
  return concat(head, sha256(head), payload);
}

export function payloadSha256(payload: Uint8Array): string {
  return Buffer.from(sha256(payload)).toString('hex');
}

/** Where a format-2 file's header digest ends (and its payload begins). */
export function headerRegionEnd(bytes: Uint8Array): number {
  return PREFIX_BYTES + new DataView(bytes.buffer, bytes.byteOffset).getUint32(8, true) + 32;
}

export function withBitFlipped(bytes: Uint8Array, bit: number): Uint8Array {
  const out = bytes.slice();
  out[bit >> 3]! ^= 1 << (bit & 7);
  return out;
}

/** Expects a one-line CorruptFileError matching `pattern`, with no tensor left behind. */
export async function expectRefused(load: () => Promise<unknown>, pattern: RegExp = /./): Promise<CorruptFileError> {
  const before = tf.memory().numTensors;
  const error: unknown = await load().then(
    () => new Error('expected a refusal, but it loaded'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CorruptFileError);
  const message = (error as Error).message;
  expect(message).toMatch(pattern);
  expect(message).not.toMatch(/[\r\n]/);
  expect(tf.memory().numTensors).toBe(before);
  return error as CorruptFileError;
}
