// Global setup of the browser project for the export test: vaekit in Node (built packages, a child process)
// exports and saves a model into a temporary folder, which a loopback server serves to the Chromium page.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';
import { serveFolder } from '../helpers/serve-folder.js';
import type { ServedExport } from './served-export.js';

const SCRIPT = fileURLToPath(new URL('../fixtures/export-for-browser.mjs', import.meta.url));

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const folder = mkdtempSync(join(tmpdir(), 'vaekit-browser-export-'));
  try {
    await promisify(execFile)(process.execPath, [SCRIPT, folder], { timeout: 120_000 });
  } catch (error) {
    rmSync(folder, { recursive: true, force: true });
    // The script runs the built packages, as a user's Node program would.
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(
      `the browser export test's Node side failed; it needs the built packages (pnpm turbo run build --filter=@vaekit/variants...): ${stderr.slice(-1500) || String(error)}`,
    );
  }
  const served = await serveFolder(folder);
  const provided: ServedExport = { url: served.url, expected: JSON.parse(readFileSync(join(folder, 'expected.json'), 'utf8')) };
  project.provide('vaekitServedExport', provided);
  return async () => {
    await served.close();
    rmSync(folder, { recursive: true, force: true });
  };
}
