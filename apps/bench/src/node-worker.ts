// A measuring child process: selects one tfjs backend, runs one Task, prints the result as one JSON line.
// One process per backend keeps tfjs's global engine state apart and lets backends alternate.
import '@vaekit/variants';

import { useBackend } from '@vaekit/backends';

import { runTask } from './run-task.js';
import { RESULT_PREFIX, type Task } from './task.js';

async function main(): Promise<void> {
  const task = JSON.parse(process.argv[2] ?? '') as Task;
  const info = await useBackend(task.backend);
  const backend = { name: info.name, runtime: info.runtime, threads: info.threads, simd: info.simd };
  const result = await runTask(task, backend, (line) => process.stderr.write(`  [${task.backend}] ${line}\n`));
  result.maxRssBytes = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
