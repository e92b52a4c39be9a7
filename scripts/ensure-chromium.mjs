#!/usr/bin/env node
// Makes sure Debian's Chromium is installed at /usr/bin/chromium for the browser tests (Vitest browser mode
// and the web app's end-to-end test). It never downloads a test tool's own browser build: when Chromium is
// missing it installs the distribution's package with apt-get, and fails loudly when it cannot.
//
// Imported (rather than run), it exports the path and the launch flags every browser test here uses.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

export const CHROMIUM_PATH = process.env.VAEKIT_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Headless Chromium flags that keep a WebGL2 context (SwiftShader, float32 render targets) while turning off
 * the sandbox (we may run as root in a container) and every background network feature. The last two give
 * pages a WebGPU adapter as well: without them `navigator.gpu` exists but `requestAdapter()` answers null in
 * headless Chromium on Linux, because WebGPU there is still behind a flag and SwiftShader (software) is
 * refused as an adapter unless allowed explicitly. WebGL keeps working with them on.
 */
export const CHROMIUM_ARGS = Object.freeze([
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--enable-unsafe-webgpu',
  '--enable-unsafe-swiftshader',
]);

function versionOf(path) {
  try {
    return execFileSync(path, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

function fail(message) {
  console.error(`[ensure-chromium] ERROR: ${message}`);
  process.exit(1);
}

function install() {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const sudo = isRoot ? [] : ['sudo', '-n'];
  if (!existsSync('/usr/bin/apt-get')) {
    fail(`${CHROMIUM_PATH} is missing and this system has no apt-get; install Chromium with your package manager or set VAEKIT_CHROMIUM to its binary.`);
  }
  const run = (args) => {
    const [cmd, ...rest] = [...sudo, ...args];
    execFileSync(cmd, rest, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  };
  try {
    run(['apt-get', 'update', '-qq']);
    run(['apt-get', 'install', '-y', '-qq', 'chromium']);
  } catch (err) {
    fail(`${CHROMIUM_PATH} is missing and 'apt-get install chromium' failed (${err.message.split('\n', 1)[0]}). Install Debian's chromium package (as root) and rerun.`);
  }
}

function main() {
  const started = Date.now();
  let installed = false;
  if (!existsSync(CHROMIUM_PATH)) {
    if (process.env.VAEKIT_CHROMIUM) fail(`VAEKIT_CHROMIUM points at ${CHROMIUM_PATH}, which does not exist.`);
    install();
    installed = true;
  }
  const version = versionOf(CHROMIUM_PATH);
  if (!version) fail(`${CHROMIUM_PATH} is there but does not run ('--version' failed).`);
  const took = ((Date.now() - started) / 1000).toFixed(1);
  console.log(`[ensure-chromium] ${version} at ${CHROMIUM_PATH}${installed ? ` (installed with apt-get in ${took} s)` : ''}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
