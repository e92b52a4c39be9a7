import type { Command } from './command.js';
import { backendsCommand } from './commands/backends.js';
import { classifierCommand } from './commands/classifier.js';
import { evalCommand } from './commands/eval.js';
import { exportCommand } from './commands/export.js';
import { fitSamplerCommand } from './commands/fit-sampler.js';
import { qualityCommand } from './commands/quality.js';
import { reconstructCommand } from './commands/reconstruct.js';
import { sampleCommand } from './commands/sample.js';
import { trainCommand } from './commands/train.js';
import { launchCommand } from './commands/launch.js';
import { EXIT_USAGE, exitCodeFor, reportError, UsageError } from './errors.js';
import { VERSION } from './version.js';

const COMMANDS: readonly Command[] = [trainCommand, launchCommand, sampleCommand, fitSamplerCommand, reconstructCommand, evalCommand, exportCommand, qualityCommand, classifierCommand, backendsCommand];

function mainUsage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    `vaekit ${VERSION}: variational autoencoders on TensorFlow.js`,
    '',
    'usage: vaekit <command> [options]',
    '',
    'commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `vaekit <command> --help` for its options. Every command takes --backend auto|native|wasm|cpu',
    '(except backends) and --debug (stack traces for every error).',
    '',
    'example: vaekit train --epochs 1 --out runs/first && vaekit eval --model-file runs/first/model.vaekit',
    '',
    'exit codes:',
    '  0    success',
    '  1    an error in the data, a model file, the run folder or the machine',
    '  2    a usage error: an unknown command, flag, model or backend, a bad flag value',
    '  3    stopped by a second signal (or one before training began): no new checkpoint was written',
    '  130  stopped by SIGINT (Ctrl-C) after writing a checkpoint; --resume continues',
    '  143  stopped by SIGTERM after writing a checkpoint; --resume continues',
  ].join('\n');
}

/** Runs the CLI on `argv` (without node and the script) and returns the exit code; never throws. */
export async function main(argv: readonly string[]): Promise<number> {
  const debug = argv.includes('--debug');
  try {
    const [first, ...rest] = argv;
    if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
      const topic = first === 'help' ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
      process.stdout.write(`${topic ? topic.usage : mainUsage()}\n`);
      return first === undefined ? EXIT_USAGE : 0;
    }
    if (first === '--version' || first === '-v') {
      process.stdout.write(`${VERSION}\n`);
      return 0;
    }
    const command = COMMANDS.find((c) => c.name === first);
    if (!command) {
      throw new UsageError(`unknown command '${first}': use one of ${COMMANDS.map((c) => c.name).join(', ')} (vaekit --help)`);
    }
    // Help wins over every other flag, so `vaekit train --epochs x --help` still shows the options.
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(`${command.usage}\n`);
      return 0;
    }
    return await command.run(rest);
  } catch (error) {
    reportError(error, debug);
    return exitCodeFor(error);
  }
}
