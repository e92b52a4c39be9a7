#!/usr/bin/env node
// TensorFlow's C library logs every kernel choice at start-up; keep the CLI's output readable unless the
// user asked for those logs. Must be set before tfjs-node loads, hence the dynamic import below.
process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';

let code: number;
try {
  const { main } = await import('./main.js');
  code = await main(process.argv.slice(2));
} catch (error) {
  // Only a broken install gets here (main() reports every error itself): say so, with the stack.
  process.stderr.write(`error: vaekit could not start (a broken or half-built install?)\n${(error as Error).stack ?? String(error)}\n`);
  code = 1;
}
// Set, then exit once pending writes to pipes have drained: a stray handle (the wasm runtime, native
// thread pools) must not keep the process alive after the work is done.
process.exitCode = code;
setImmediate(() => process.exit(code));
