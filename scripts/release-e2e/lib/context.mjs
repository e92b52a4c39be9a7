// What every part of the release test shares: where things are, the versions it installs, the temporary
// folder and its logs, the one-line progress output, and running a command into a log file.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** scripts/release-e2e, where the test's own tools (Verdaccio, publint, attw) are installed. */
export const HERE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const ROOT = path.resolve(HERE, '../..');
export const FIXTURES = path.join(HERE, 'fixtures');
/** The published packages, by folder under packages/. */
export const PACKAGES = ['core', 'variants', 'backends', 'data', 'conformance'];
export const TFJS_VERSION = '4.22.0';
export const VITEST_VERSION = '4.1.12';
/** What `vaekit-native-setup` tells a user to run when tfjs-node is missing; the third consumer checks it. */
export const INSTALL_TFJS_NODE = `npm install --ignore-scripts @tensorflow/tfjs-node@${TFJS_VERSION}`;

const started = performance.now();
export const seconds = (ms) => (ms / 1000).toFixed(1);
export const say = (text) => console.log(`[release-e2e +${seconds(performance.now() - started)}s] ${text}`);

export const work = fs.mkdtempSync(path.join(os.tmpdir(), 'vaekit-release-e2e-'));
export const logs = path.join(work, 'logs');
fs.mkdirSync(logs);
let logCount = 0;

export class StepFailure extends Error {}

/**
 * Runs a command to completion, its output into a log file; throws with the output's tail when it does not
 * exit with `expectCode` (0 unless a step checks a command's failure).
 */
export async function run(command, args, { cwd, env = {}, timeoutMs = 300_000, label = path.basename(command), expectCode = 0 } = {}) {
  const logFile = path.join(logs, `${String(++logCount).padStart(2, '0')}-${label.replace(/[^\w.-]+/g, '_')}.log`);
  const out = fs.openSync(logFile, 'w');
  fs.writeSync(out, `$ ${command} ${args.join(' ')}\n# cwd ${cwd}\n\n`);
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, ...env, FORCE_COLOR: '0', NO_COLOR: '1' },
    stdio: ['ignore', out, out],
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code, signal] = await new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (c, s) => resolve([c, s]));
  }).finally(() => {
    clearTimeout(timer);
    fs.closeSync(out);
  });
  const output = fs.readFileSync(logFile, 'utf8');
  if (code !== expectCode) {
    const tail = output.trimEnd().split('\n').slice(-40).join('\n');
    const expected = expectCode === 0 ? '' : ` (expected ${expectCode})`;
    const why = signal ? `was killed (${signal}${signal === 'SIGKILL' ? `, over ${timeoutMs / 1000} s` : ''})` : `exited with code ${code}${expected}`;
    throw new StepFailure(`\`${label}\` ${why}. Last lines of ${logFile}:\n${tail}`);
  }
  return output;
}

export const npmCommand = 'npm';
export const npxCommand = 'npx';
export const pnpmCommand = 'pnpm';

export const readJson = (file) => JSON.parse(fs.readFileSync(file, 'utf8'));
export const writeJson = (file, value) => fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);

export function check(condition, message) {
  if (!condition) throw new StepFailure(message);
}
