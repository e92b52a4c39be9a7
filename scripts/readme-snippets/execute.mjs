// Runs one compiled snippet with Node in a folder of its own, under a time limit.
import { spawn } from 'node:child_process';

/**
 * @param {string} script absolute path of the compiled .mjs
 * @param {string} cwd
 * @param {number} timeoutMs
 * @returns {Promise<{ ok: boolean, output: string, reason: string }>}
 */
export function runSnippet(script, cwd, timeoutMs) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--enable-source-maps', script], {
      cwd,
      env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (/** @type {Buffer} */ chunk) => {
      // Keeps the end, where an error is, within a bounded size.
      output = (output + chunk.toString('utf8')).slice(-20_000);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) resolve({ ok: false, output, reason: `did not finish within ${timeoutMs / 1000} s` });
      else if (code === 0) resolve({ ok: true, output, reason: '' });
      else resolve({ ok: false, output, reason: signal ? `was killed by ${signal}` : `exited with code ${code}` });
    });
  });
}
