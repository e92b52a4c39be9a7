import { listBackends } from '@vaekit/backends';
import { COMMON_OPTIONS, parse } from '../args.js';
import type { Command } from '../command.js';
import { formatTable } from '../format.js';

const OPTIONS = { ...COMMON_OPTIONS, json: { type: 'boolean' } } as const;

const USAGE = `usage: vaekit backends [--json]

Probes every compute backend and lists which can run here, and why not where one cannot.

options:
  --json        print the list as JSON
  --debug       print stack traces for every error
  -h, --help    this help`;

export const backendsCommand: Command = {
  name: 'backends',
  summary: 'list the compute backends, which are available and why not',
  usage: USAGE,
  async run(argv) {
    const { values } = parse(argv, OPTIONS);
    const backends = await listBackends();
    if (values.json) {
      process.stdout.write(`${JSON.stringify(backends, null, 2)}\n`);
      return 0;
    }
    const rows = [['backend', 'available', 'runtime', 'tfjs', 'SIMD', 'threads', 'compiled steps', 'notes']];
    for (const b of backends) {
      const info = b.info;
      rows.push(
        info
          ? [
              b.name,
              'yes',
              info.runtime,
              info.tfjsVersion,
              info.simd === null ? '-' : info.simd ? 'yes' : 'no',
              String(info.threads),
              info.compiledSteps ? 'yes' : 'no',
              // Native without compiled steps says why; elsewhere op by op is simply how the backend runs.
              [`float${info.floatPrecision}`, b.name === 'native' && !info.compiledSteps ? info.compiledStepsReason : null]
                .filter(Boolean)
                .join('; '),
            ]
          : [b.name, 'no', '-', '-', '-', '-', '-', b.reason ?? 'unavailable'],
      );
    }
    process.stdout.write(`${formatTable(rows)}\n`);
    return 0;
  },
};
