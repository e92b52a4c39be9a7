import { describe, expect, it } from 'vitest';
import { CorruptFileError } from '../src/index.js';
import { decodeContainer, encodeContainer } from '../src/internal.js';
import { craftV2, encodeV1, headerRegionEnd, payloadSha256, withBitFlipped } from './helpers/container-bytes.js';

const sections = { a: new Uint8Array([1, 2, 3]), b: new Uint8Array([9, 8, 7, 6]) };
const meta = { config: { className: 'Thing', width: 5 }, step: 24 };

/** Why a decode did not refuse with one line of CorruptFileError, or null when it did. */
async function refusalProblem(bytes: Uint8Array): Promise<string | null> {
  try {
    await decodeContainer(bytes, 'thing');
    return 'loaded';
  } catch (error) {
    if (!(error instanceof CorruptFileError)) return `threw ${String(error)}`;
    if (/[\r\n]/.test(error.message)) return `message of several lines: ${error.message}`;
    return null;
  }
}

describe('container format 2: the header is checksummed too', () => {
  it('writes the magic VAEKIT02 and the SHA-256 of magic, length and header after the header', async () => {
    const bytes = await encodeContainer('thing', meta, sections);
    expect(new TextDecoder().decode(bytes.subarray(0, 8))).toBe('VAEKIT02');
    const end = headerRegionEnd(bytes);
    expect(bytes.byteLength).toBe(end + 7);
    const decoded = await decodeContainer<typeof meta>(bytes, 'thing');
    expect(decoded.header.meta).toEqual(meta);
    expect(Array.from(decoded.section('b'))).toEqual([9, 8, 7, 6]);
  });

  it('refuses every single-bit flip anywhere in the file, each with one line', async () => {
    const bytes = await encodeContainer('thing', meta, sections);
    const problems: string[] = [];
    for (let bit = 0; bit < bytes.byteLength * 8; bit++) {
      const problem = await refusalProblem(withBitFlipped(bytes, bit));
      if (problem) problems.push(`bit ${bit}: ${problem}`);
    }
    expect(problems).toEqual([]);
  });

  it('says which checksum failed: the header digest for a header flip, the payload digest for a payload flip', async () => {
    const bytes = await encodeContainer('thing', meta, sections);
    const stepDigit = new TextDecoder().decode(bytes).indexOf('"step":24') + '"step":'.length;
    await expect(decodeContainer(withBitFlipped(bytes, stepDigit * 8), 'thing')).rejects.toThrow(/header checksum does not match/);
    await expect(decodeContainer(withBitFlipped(bytes, bytes.byteLength * 8 - 1), 'thing')).rejects.toThrow(/payload checksum/);
  });

  it('refuses every truncation and any padding', async () => {
    const bytes = await encodeContainer('thing', meta, sections);
    const problems: string[] = [];
    for (let length = 0; length < bytes.byteLength; length++) {
      const problem = await refusalProblem(bytes.subarray(0, length));
      if (problem) problems.push(`${length} bytes: ${problem}`);
    }
    expect(problems).toEqual([]);
    const padded = new Uint8Array(bytes.byteLength + 1);
    padded.set(bytes);
    await expect(decodeContainer(padded, 'thing')).rejects.toThrow(/truncated or padded/);
  });

  it('refuses format 1 files (pre-release builds wrote them) with one line that says so', async () => {
    const v1 = encodeV1('thing', meta, sections);
    await expect(decodeContainer(v1, 'thing', 'old.vaekit')).rejects.toThrow(
      /^old\.vaekit is in vaekit file format 01, written by a pre-release vaekit, which no release reads$/,
    );
  });

  it('refuses a format it does not know, naming it', async () => {
    const bytes = await encodeContainer('thing', meta, sections);
    bytes.set(new TextEncoder().encode('VAEKIT07'), 0);
    await expect(decodeContainer(bytes, 'thing', 'x.vaekit')).rejects.toThrow(/^x.vaekit is in vaekit file format 07, which this vaekit does not read/);
  });

  it('refuses crafted headers whose checksums are right but whose contents are not a header, each with one line', async () => {
    const payload = new Uint8Array([1, 2, 3]);
    const sha = payloadSha256(payload);
    const header = (fields: Record<string, unknown>): string =>
      JSON.stringify({ kind: 'thing', meta: {}, sections: [{ name: 'a', byteOffset: 0, byteLength: 3 }], payloadSha256: sha, ...fields });
    const cases: [string, RegExp][] = [
      ['[1, 2]', /header: it is not an object/],
      [header({ kind: 7 }), /kind is not a string/],
      [header({ kind: 'model\nfake line' }), /holds a "model\\nfake line", expected a 'thing'/],
      [header({ sections: 'all' }), /sections are not a list/],
      [header({ sections: [{ name: 'a', byteOffset: -1, byteLength: 3 }] }), /section "a" has an invalid offset or length/],
      [header({ sections: [{ name: 'a', byteOffset: 0, byteLength: 1.5 }] }), /invalid offset or length/],
      [header({ sections: [{ name: 'a', byteOffset: 0, byteLength: 3 }, { name: 'a', byteOffset: 0, byteLength: 3 }] }), /listed twice/],
      [header({ sections: [{ byteOffset: 0, byteLength: 3 }] }), /has no proper name/],
      [header({ sections: [{ name: 'a', byteOffset: 0, byteLength: 2 ** 40 }] }), /truncated or padded: payload is 3 bytes, header says 1099511627776/],
      [header({ payloadSha256: 'zz' }), /payload checksum is not a SHA-256/],
      [header({ meta: undefined }), /it has no meta/],
      ['{"kind": "thing", ', /corrupt header/],
    ];
    for (const [text, pattern] of cases) {
      const error = await decodeContainer(craftV2(text, payload), 'thing').catch((e: unknown) => e);
      expect(error, text).toBeInstanceOf(CorruptFileError);
      expect((error as Error).message, text).toMatch(pattern);
      expect((error as Error).message, text).not.toMatch(/\n/);
    }
  });

  it('refuses a header that is not UTF-8, and a declared header length over the limit, before parsing', async () => {
    const notUtf8 = new TextEncoder().encode('{"kind":"thing?"}');
    notUtf8[notUtf8.indexOf(0x3f)] = 0xff; // a byte that never occurs in UTF-8
    await expect(decodeContainer(craftV2(notUtf8, new Uint8Array(0)), 'thing')).rejects.toThrow(/corrupt header/);
    const huge = new Uint8Array(64);
    huge.set(new TextEncoder().encode('VAEKIT02'), 0);
    new DataView(huge.buffer).setUint32(8, 0xffffffff, true);
    await expect(decodeContainer(huge, 'thing')).rejects.toThrow(/header length 4294967295 is over the 16777216-byte limit/);
  });
});
