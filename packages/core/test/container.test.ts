import { describe, expect, it } from 'vitest';
import { CorruptFileError } from '../src/index.js';
import { decodeContainer, encodeContainer } from '../src/internal.js';

describe('the vaekit file container', () => {
  const sections = { a: new Uint8Array([1, 2, 3]), b: new Uint8Array([9, 8]) };

  it('round-trips metadata and sections', async () => {
    const bytes = await encodeContainer('thing', { hello: 'world' }, sections);
    const decoded = await decodeContainer<{ hello: string }>(bytes, 'thing');
    expect(decoded.header.meta.hello).toBe('world');
    expect(Array.from(decoded.section('a'))).toEqual([1, 2, 3]);
    expect(Array.from(decoded.section('b'))).toEqual([9, 8]);
  });

  it('detects truncation, corruption, a foreign file and the wrong kind', async () => {
    const bytes = await encodeContainer('thing', {}, sections);
    await expect(decodeContainer(bytes.subarray(0, bytes.length - 1), 'thing')).rejects.toThrow(/truncated/);
    await expect(decodeContainer(bytes.subarray(0, 5), 'thing')).rejects.toThrow(/truncated/);
    const flipped = bytes.slice();
    flipped[flipped.length - 1]! ^= 0xff;
    await expect(decodeContainer(flipped, 'thing')).rejects.toThrow(/checksum/);
    await expect(decodeContainer(new TextEncoder().encode('{"not": "ours"}'), 'thing')).rejects.toThrow(/not a vaekit file/);
    await expect(decodeContainer(bytes, 'other')).rejects.toBeInstanceOf(CorruptFileError);
  });
});
