import { read } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { DataError } from '../data-error.js';

/**
 * Rows closer than this are read as one span, gap included: one read of a few kilobytes costs less
 * than two, and in-order reading (evaluation) becomes one read per batch.
 */
const MERGE_GAP_BYTES = 16 * 1024;

/** Where the rows live in the file. */
export interface RowLayout {
  /** Byte offset of row 0. */
  readonly dataOffset: number;
  readonly rowBytes: number;
  /** Rows in the file. */
  readonly count: number;
}

/**
 * The bytes of rows `indices`, in that order (row r of the result is example indices[r]), read by byte
 * range: the rows are sorted, nearby ones merged into spans, and the spans read concurrently. Nothing
 * but the requested spans is read.
 */
export async function readRows(handle: FileHandle, layout: RowLayout, indices: readonly number[], source: string): Promise<Uint8Array> {
  const { dataOffset, rowBytes, count } = layout;
  for (const index of indices) {
    if (!Number.isInteger(index) || index < 0 || index >= count) {
      throw new RangeError(`example index ${index} is outside [0, ${count}) in ${source}`);
    }
  }
  const bySlot = indices.map((index, slot) => ({ index, slot })).sort((a, b) => a.index - b.index);
  const maxGapRows = Math.floor(MERGE_GAP_BYTES / rowBytes);
  const spans: { first: number; last: number; slots: { index: number; slot: number }[] }[] = [];
  for (const entry of bySlot) {
    const span = spans.at(-1);
    if (span && entry.index - span.last <= maxGapRows + 1) {
      span.last = entry.index;
      span.slots.push(entry);
    } else {
      spans.push({ first: entry.index, last: entry.index, slots: [entry] });
    }
  }
  const rows = new Uint8Array(indices.length * rowBytes);
  await Promise.all(
    spans.map(async ({ first, last, slots }) => {
      const length = (last - first + 1) * rowBytes;
      const bytes = await readSpan(handle, dataOffset + first * rowBytes, length);
      if (bytes.length < length) throw new DataError(`${source} ended early: rows ${first} to ${last} are past its end (was it truncated after opening?)`);
      for (const { index, slot } of slots) {
        const start = (index - first) * rowBytes;
        rows.set(bytes.subarray(start, start + rowBytes), slot * rowBytes);
      }
    }),
  );
  return rows;
}

/**
 * `length` bytes at `position` (fewer only at the end of the file), read through the handle's
 * descriptor with the callback API: a batch reads thousands of rows, and that costs a half to a third
 * of what `FileHandle.read` does per call. The dataset closes the handle only once its reads settle.
 */
async function readSpan(handle: FileHandle, position: number, length: number): Promise<Uint8Array> {
  const buffer = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const bytesRead = await new Promise<number>((resolve, reject) =>
      read(handle.fd, buffer, done, length - done, position + done, (error, n) => (error ? reject(error) : resolve(n))),
    );
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return buffer.subarray(0, done);
}
