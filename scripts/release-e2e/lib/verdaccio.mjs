// A private registry for the test: Verdaccio on a free 127.0.0.1 port, storage in the temporary folder,
// no uplinks, one publishing user; stopped whatever ends the process.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

import { HERE, logs, StepFailure, work } from './context.mjs';

let verdaccio; // the child process, while it runs

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

export async function startVerdaccio() {
  const home = path.join(work, 'verdaccio');
  fs.mkdirSync(home);
  const configFile = path.join(home, 'config.yaml');
  // No uplinks: it serves only what is published to it. Anyone may read; publishing needs a user,
  // created below. The web UI is off.
  fs.writeFileSync(
    configFile,
    [
      `storage: ${JSON.stringify(path.join(home, 'storage'))}`,
      'auth:',
      '  htpasswd:',
      `    file: ${JSON.stringify(path.join(home, 'htpasswd'))}`,
      '    max_users: 10',
      'uplinks: {}',
      'packages:',
      "  '**':",
      '    access: $all',
      '    publish: $authenticated',
      '    unpublish: $authenticated',
      'web:',
      '  enable: false',
      'log: { type: stdout, format: pretty, level: warn }',
      '',
    ].join('\n'),
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const bin = path.join(HERE, 'node_modules', 'verdaccio', 'bin', 'verdaccio');
  const logFile = path.join(logs, 'verdaccio.log');
  const out = fs.openSync(logFile, 'w');
  verdaccio = spawn(process.execPath, [bin, '--config', configFile, '--listen', `127.0.0.1:${port}`], {
    cwd: home,
    stdio: ['ignore', out, out],
  });
  fs.closeSync(out);
  let exited = null;
  verdaccio.on('exit', (code, signal) => (exited = signal ?? code));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited !== null) throw new StepFailure(`Verdaccio exited (${exited}) before it answered. Its log, ${logFile}:\n${fs.readFileSync(logFile, 'utf8')}`);
    try {
      const response = await fetch(new URL('-/ping', url));
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new StepFailure(`Verdaccio did not answer on ${url} within 30 s; see ${logFile}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  // Create the publishing user; Verdaccio answers with its token.
  const user = 'release-e2e';
  const response = await fetch(new URL(`-/user/org.couchdb.user:${user}`, url), {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: user, password: `pw-${process.pid}-${port}` }),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok || typeof body.token !== 'string') {
    throw new StepFailure(`Verdaccio refused to create a user (${response.status}): ${JSON.stringify(body)}`);
  }
  return { url, port, token: body.token, logFile };
}

export async function stopVerdaccio() {
  const child = verdaccio;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  verdaccio = undefined;
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await gone;
  clearTimeout(timer);
}

// Stop Verdaccio whatever ends this process.
process.on('exit', () => verdaccio?.kill('SIGKILL'));
for (const [signal, number] of [['SIGINT', 2], ['SIGTERM', 15]]) {
  process.on(signal, () => {
    console.error(`[release-e2e] ${signal}: stopping Verdaccio; temporary folders kept in ${work}`);
    verdaccio?.kill('SIGKILL');
    process.exit(128 + number);
  });
}
