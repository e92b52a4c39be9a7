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
/** The published packages, by folder in the workspace: the five libraries and the command line. */
export const PACKAGES = ['packages/core', 'packages/variants', 'packages/backends', 'packages/data', 'packages/conformance', 'packages/distributed', 'apps/cli'];
/** The command line: an application, whose tfjs packages are its own dependencies rather than peers. */
export const CLI_PACKAGE = 'apps/cli';
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
 * exit with `expectCode` (0 unless a step checks a command's failure). Returns the log: the command line,
 * then stdout and stderr as they came.
 */
export async function run(command, args, options = {}) {
  return (await runLogged(command, args, options, false)).stdout;
}

/**
 * As `run`, with stdout and stderr in two log files, returned apart: `stdout` exactly as the command
 * printed it (for a step that parses it, or checks that nothing else got in).
 */
export function runApart(command, args, options = {}) {
  return runLogged(command, args, options, true);
}

async function runLogged(command, args, { cwd, env = {}, timeoutMs = 300_000, label = path.basename(command), expectCode = 0 }, apart) {
  const logFile = path.join(logs, `${String(++logCount).padStart(2, '0')}-${label.replace(/[^\w.-]+/g, '_')}.log`);
  const errFile = apart ? logFile.replace(/\.log$/, '.stderr.log') : logFile;
  const out = fs.openSync(logFile, 'w');
  const err = apart ? fs.openSync(errFile, 'w') : out;
  fs.writeSync(err, `$ ${command} ${args.join(' ')}\n# cwd ${cwd}\n\n`);
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, ...env, FORCE_COLOR: '0', NO_COLOR: '1' },
    stdio: ['ignore', out, err],
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code, signal] = await new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (c, s) => resolve([c, s]));
  }).finally(() => {
    clearTimeout(timer);
    fs.closeSync(out);
    if (apart) fs.closeSync(err);
  });
  const stdout = fs.readFileSync(logFile, 'utf8');
  const stderr = apart ? fs.readFileSync(errFile, 'utf8') : '';
  if (code !== expectCode) {
    const tail = `${stdout}${stderr}`.trimEnd().split('\n').slice(-40).join('\n');
    const expected = expectCode === 0 ? '' : ` (expected ${expectCode})`;
    const why = signal ? `was killed (${signal}${signal === 'SIGKILL' ? `, over ${timeoutMs / 1000} s` : ''})` : `exited with code ${code}${expected}`;
    const where = apart ? `${logFile} and ${errFile}` : logFile;
    throw new StepFailure(`\`${label}\` ${why}. Last lines of ${where}:\n${tail}`);
  }
  return { stdout, stderr };
}

export const npmCommand = 'npm';
export const npxCommand = 'npx';
export const pnpmCommand = 'pnpm';

export const readJson = (file) => JSON.parse(fs.readFileSync(file, 'utf8'));
export const writeJson = (file, value) => fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);

export function check(condition, message) {
  if (!condition) throw new StepFailure(message);
}
