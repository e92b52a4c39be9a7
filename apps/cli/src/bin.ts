#!/usr/bin/env node
// TensorFlow's C library logs every kernel choice at start-up; keep the CLI's output readable unless the
// user asked for those logs. Must be set before tfjs-node loads.
process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';

const { main } = await import('./main.js');
const code = await main(process.argv.slice(2));
// Set, not exit(): stdout/stderr writes to pipes still flush. A stray handle (wasm, native thread pools)
// must not keep the process alive after the work is done, so exit once the event loop has drained writes.
process.exitCode = code;
setImmediate(() => process.exit(code));
