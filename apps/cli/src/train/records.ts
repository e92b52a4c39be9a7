import type { EpochEvent, RunChange } from '@vaekit/core';
import { readTiming, writeMetrics, writeTiming, type TimingLine } from '../run-records.js';
import { writeRunConfig, type RunConfig } from './run-config.js';

/**
 * config.json, metrics.jsonl and timing.jsonl of a run, kept as functions of the checkpoint's history:
 * lines of epochs the checkpoint does not hold are dropped, the ones it holds but a kill kept from being
 * written are added, so no epoch is listed twice and a resumed run ends with the same bytes.
 */
export class RunRecords {
  private history: EpochEvent[];
  private timing: TimingLine[];
  /** A resume writes nothing until the trainer has accepted the checkpoint (same settings, same data). */
  private pending: boolean;

  /** `resumed`: the config to write back and the checkpoint's history; null for a fresh run. */
  constructor(
    private readonly out: string,
    private readonly resumed: { config: RunConfig; history: readonly EpochEvent[] } | null,
  ) {
    this.history = resumed ? [...resumed.history] : [];
    this.timing = readTiming(out, this.history.length);
    this.pending = resumed !== null;
  }

  get epochs(): readonly EpochEvent[] {
    return this.history;
  }

  /** The changes a resume made, written into config.json with the resume's first write. */
  noteChanges(changes: readonly RunChange[]): void {
    if (!this.resumed || changes.length === 0) return;
    this.resumed.config.changes = [...(this.resumed.config.changes ?? []), ...changes];
  }

  /** A fresh run's config.json, written before training starts. */
  async start(config: RunConfig): Promise<void> {
    await writeRunConfig(this.out, config);
  }

  /**
   * On a resume, the first write of the run (its first checkpoint save or epoch end): the trainer has
   * accepted the checkpoint by then, so a refused resume leaves the folder as it was.
   */
  async accepted(): Promise<void> {
    if (!this.pending) return;
    this.pending = false;
    await this.rewrite();
  }

  /** Writes all three from the checkpoint's state (a resume of a run its checkpoint already ends). */
  async rewrite(): Promise<void> {
    this.pending = false;
    if (this.resumed) await writeRunConfig(this.out, this.resumed.config);
    await writeMetrics(this.out, this.history);
    await writeTiming(this.out, this.timing);
  }

  /** An epoch ended: `full` is the trainer's own history (the checkpoint's) where the trainer passes it. */
  async epochEnded(event: EpochEvent, full: readonly EpochEvent[] | undefined): Promise<void> {
    this.history = full ? [...full] : [...this.history.slice(0, event.epoch - 1), event];
    await writeMetrics(this.out, this.history);
    this.timing = [
      ...this.timing.slice(0, event.epoch - 1),
      { epoch: event.epoch, step: event.step, elapsedMs: Math.round(event.elapsedMs), finishedAt: new Date().toISOString() },
    ];
    await writeTiming(this.out, this.timing);
  }
}
