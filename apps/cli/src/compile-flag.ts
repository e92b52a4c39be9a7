import type { BackendInfo } from '@vaekit/backends';
import type { CompileEvent } from '@vaekit/core';
import { choiceFlag } from './args.js';
import { UsageError } from './errors.js';

export const COMPILE_OPTION = {
  compile: { type: 'string', default: 'auto' },
} as const;

export const COMPILE_USAGE =
  '  --compile C             auto (default): on native, each step runs as one compiled TensorFlow\n' +
  '                          function; xla: compiled by XLA too; off: op by op';

export const COMPILE_EVAL_USAGE =
  '  --compile C         auto (default): on native, the IWAE log-weights run as compiled TensorFlow\n' +
  '                      functions; xla: compiled by XLA too; off: op by op';

/** `--compile` as `train`'s option, checked against the backend that runs. */
export function compileSetting(raw: string | undefined, backend: BackendInfo): 'auto' | 'xla' | false {
  const choice = choiceFlag('compile', raw, ['auto', 'xla', 'off'] as const) ?? 'auto';
  if (choice === 'xla' && backend.name !== 'native') {
    throw new UsageError(`--compile xla needs the native backend; this run uses ${backend.name} (pass --backend native)`);
  }
  return choice === 'off' ? false : choice;
}

/** One line on how steps run, for the log. */
export function describeCompile(event: CompileEvent, what = 'steps'): string {
  if (event.status === 'eager') return `${what}: op by op (${event.reason})`;
  const how = event.mode === 'xla' ? 'XLA' : 'graph optimizer';
  const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
  return (
    `${what}: compiled into one TensorFlow function (${how}), batch of ${event.batchShape[0]}: ${event.report.ops} ops, ` +
    `traced in ${seconds(event.report.traceMs)}, first call ${seconds(event.report.firstCallMs)}`
  );
}
