import type { Readable, Writable } from 'node:stream';

/**
 * Copies `from` to `to` line by line, each line prefixed, so the workers' interleaved output stays
 * readable. A progress line redrawn with \r is cut at the \r, so it is not glued to another worker's.
 */
export function copyPrefixed(from: Readable, to: Writable, prefix: string): Promise<void> {
  let pending = '';
  from.setEncoding('utf8');
  from.on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split(/\r?\n|\r/);
    pending = lines.pop() ?? '';
    for (const line of lines) if (line.length > 0) to.write(`${prefix}${line}\n`);
  });
  return new Promise((resolve) => {
    from.on('end', () => {
      if (pending.length > 0) to.write(`${prefix}${pending}\n`);
      resolve();
    });
  });
}
