import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize, sep } from 'node:path';

/** A static file server on 127.0.0.1 over one folder, as a site serves a model; any origin may read it. */
export interface ServedFolder {
  readonly url: string;
  close(): Promise<void>;
}

export async function serveFolder(folder: string): Promise<ServedFolder> {
  const root = normalize(folder + sep);
  const server = createServer((request, response) => {
    response.setHeader('Access-Control-Allow-Origin', '*');
    const path = normalize(join(root, decodeURIComponent(new URL(request.url ?? '/', 'http://127.0.0.1').pathname)));
    if (!path.startsWith(root)) {
      response.writeHead(403).end();
      return;
    }
    readFile(path).then(
      (bytes) => response.writeHead(200, { 'Content-Type': path.endsWith('.json') ? 'application/json' : 'application/octet-stream' }).end(bytes),
      () => response.writeHead(404).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
