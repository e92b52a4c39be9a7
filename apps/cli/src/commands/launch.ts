import { fileURLToPath } from 'node:url';
import { numberFlag, parse } from '../args.js';
import type { Command } from '../command.js';
import { UsageError } from '../errors.js';
import { freePorts } from '../launch/free-ports.js';
import { loopbackTfConfig, runWorkers } from '../launch/workers.js';

const OPTIONS = { workers: { type: 'string' }, debug: { type: 'boolean' } } as const;
// Each worker is a whole TensorFlow process: more than this on one machine only measures contention.
const MAX_WORKERS = 16;
const BIN = fileURLToPath(new URL('../bin.js', import.meta.url));

const USAGE = `usage: vaekit launch --workers N -- train [train options]

Starts N workers of one distributed training run on this machine, on loopback: each is
\`vaekit train --distributed\` with its own TF_CONFIG (free ports on 127.0.0.1). Their output is
prefixed [worker i]; the chief (worker 0) alone writes --out. If one worker fails, the others are
stopped and launch exits with its code. Ctrl-C or SIGTERM is passed to every worker: they stop
together after the next step, and the chief writes a checkpoint (--resume continues, with any
number of workers).

TensorFlow's servers listen on every interface of the machine, unauthenticated: run it only where
no one else can reach this machine's ports (a private network, a firewall, or a network namespace).

options:
  --workers N             worker processes (at least 1)
  -h, --help              this help

example: vaekit launch --workers 2 -- train --epochs 1 --limit 6000 --out runs/two`;

export const launchCommand: Command = {
  name: 'launch',
  summary: 'start N local workers of one distributed training run (vaekit train --distributed)',
  usage: USAGE,
  run,
};

async function run(argv: readonly string[]): Promise<number> {
  const split = argv.indexOf('--');
  if (split < 0) throw new UsageError('launch needs the command the workers run after --, e.g. vaekit launch --workers 2 -- train --epochs 1');
  const { values } = parse(argv.slice(0, split), OPTIONS);
  const workers = numberFlag('workers', values.workers, { integer: true, min: 1 });
  if (workers === undefined) throw new UsageError('launch needs --workers N');
  if (workers > MAX_WORKERS) throw new UsageError(`--workers ${workers}: at most ${MAX_WORKERS} on one machine`);
  const [command, ...rest] = argv.slice(split + 1);
  if (command !== 'train') throw new UsageError(`launch runs train (vaekit launch --workers N -- train ...), not ${command ?? 'nothing'}`);
  const args = [BIN, 'train', ...(rest.includes('--distributed') ? [] : ['--distributed']), ...rest];
  const ports = await freePorts(workers);
  process.stderr.write(`[launch] ${workers} worker(s) on 127.0.0.1:${ports.join(', ')}\n`);
  return runWorkers(process.execPath, args, ports.map((_, i) => loopbackTfConfig(ports, i)));
}
