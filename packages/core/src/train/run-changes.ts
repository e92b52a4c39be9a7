import type { LearningRateSchedule } from '../lr-schedule/schedule-config.js';

/** Settings a resume may change when `allowResumeChanges` names them; every other change is refused. */
export type ResumeChangeable = 'learningRate' | 'learningRateSchedule';

export const RESUME_CHANGEABLE: readonly ResumeChangeable[] = ['learningRate', 'learningRateSchedule'];

/** A setting a resume changed, as the checkpoint records it from then on. */
export type RunChange =
  | {
      /** Global steps completed when the change took effect. */
      readonly step: number;
      readonly setting: 'learningRate';
      /** The optimizer's base learning rate before and after. */
      readonly from: number;
      readonly to: number;
    }
  | {
      readonly step: number;
      readonly setting: 'learningRateSchedule';
      readonly from: LearningRateSchedule;
      readonly to: LearningRateSchedule;
    };

export function checkResumeChangeable(value: unknown): readonly ResumeChangeable[] {
  if (!Array.isArray(value) || value.some((name) => !RESUME_CHANGEABLE.includes(name as ResumeChangeable))) {
    throw new RangeError(`allowResumeChanges must be a list of ${RESUME_CHANGEABLE.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as ResumeChangeable[];
}
