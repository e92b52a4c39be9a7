import { existsSync } from 'node:fs';
import type { EpochEvent, TrainResult } from '@vaekit/core';
import { EXIT_STOPPED } from '../errors.js';
import { formatDuration, formatNumber, formatTerms } from '../format.js';
import { TrainProgress } from '../progress.js';
import { runPath } from '../run-folder.js';
import { resumeCommand } from './session.js';
import type { EarlyStopArgs } from './controls.js';

/** Lines on stderr that never tear the progress display: it is cleared before each one. */
export interface TrainLog {
  readonly progress: TrainProgress;
  line(text: string): void;
}

export function trainLog(): TrainLog {
  const progress = new TrainProgress(process.stderr);
  return {
    progress,
    line(text) {
      progress.clear();
      process.stderr.write(`${text}\n`);
    },
  };
}

export function epochLine(event: EpochEvent): string {
  const validation = event.validation
    ? `  |  held-out loss ${formatNumber(event.validation.total ?? Number.NaN)} (rec ${formatNumber(event.validation.reconstruction ?? Number.NaN)}, kl ${formatNumber(event.validation.kl ?? Number.NaN)})`
    : '';
  return `epoch ${event.epoch}/${event.epochs} done  step ${event.step}  train ${formatTerms(event.train)}${validation}  (${formatDuration(event.elapsedMs)})`;
}

/** The summary's first line for a run early stopping ended. */
export function stoppedEarlyHeadline(result: TrainResult, rule: EarlyStopArgs, restored: boolean): string {
  const best = result.best;
  const where = best ? `; best epoch ${best.epoch} (${rule.monitor} ${formatNumber(best.value)}), kept in best.vaekit` : '';
  return (
    `stopped early after epoch ${result.epochsCompleted}, ${result.steps} steps: ${rule.monitor} did not improve for ` +
    `${rule.patience} epoch(s)${where}${restored && best?.restored ? '; model.vaekit holds the best weights (--restore-best)' : ''}`
  );
}

/** A stop request that came before anything was written: nothing to checkpoint, so EXIT_STOPPED. */
export function stoppedBeforeTraining(): number {
  process.stderr.write('stopped before training started; nothing was written\n');
  return EXIT_STOPPED;
}

/** The line after a graceful stop: where the checkpoint is and how to go on. */
export function reportStopped(out: string, steps: number, savedStep: number): void {
  process.stderr.write(
    `stopped at step ${steps}; checkpoint (step ${savedStep}) saved to ${runPath(out, 'checkpoint')}; ` +
      `resume with: ${resumeCommand(out)}\n`,
  );
}

/** The summary on stdout: what was trained, the final held-out ELBO, the files written, how to go on. */
export function printSummary(out: string, result: TrainResult, heldOutName: string, written: readonly string[], headline?: string): void {
  const last = result.history.at(-1);
  const lines = [
    headline ??
      `done: ${result.epochsCompleted} epoch(s), ${result.steps} steps${result.resumedFromStep !== null ? ` (resumed from step ${result.resumedFromStep})` : ''}`,
  ];
  if (last?.validation) {
    const v = last.validation;
    lines.push(
      // Events report the held-out loss (−ELBO); the summary states the bound itself, as `vaekit eval` does.
      `final ELBO on ${heldOutName}: ${formatNumber(-(v.total ?? Number.NaN))} nats (reconstruction ${formatNumber(v.reconstruction ?? Number.NaN)}, KL ${formatNumber(v.kl ?? Number.NaN)})`,
    );
  }
  lines.push('wrote:', ...written.filter((path) => existsSync(path)).map((path) => `  ${path}`));
  lines.push(`continue with: vaekit train --out ${out} --resume --epochs ${result.epochsCompleted + 10}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}
