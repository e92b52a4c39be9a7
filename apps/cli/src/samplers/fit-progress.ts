import type { SamplerFitEvent } from '@vaekit/core';
import { formatNumber } from '../format.js';
import { bar, ProgressLine, type ProgressStream } from '../progress.js';

/**
 * Progress of a sampler's fit: one line per stage ('encoding', 'fitting k=4', 'epoch 3'), redrawn in
 * place on a terminal and printed at each tenth elsewhere, with the stage's figure when it reports one.
 */
export function fitProgress(stream: ProgressStream, label: string): { update(event: SamplerFitEvent): void; clear(): void } {
  const line = new ProgressLine(stream);
  let stage: string | null = null;
  return {
    update(event) {
      if (event.stage !== stage) {
        if (stage !== null) line.clear();
        stage = event.stage;
        line.restart();
      }
      const fraction = event.total > 0 ? Math.min(1, event.done / event.total) : 1;
      const head = `${label}: ${event.stage} ${event.done}/${event.total}`;
      const value = event.value !== undefined && Number.isFinite(event.value) ? `  ${formatNumber(event.value, 4)}` : '';
      line.show(
        fraction,
        () => `${head} ${bar(fraction, 20)} ${Math.floor(fraction * 100)}%${value}`,
        () => `${head} (${Math.floor(fraction * 100)}%)${value}`,
      );
    },
    clear() {
      line.clear();
    },
  };
}
