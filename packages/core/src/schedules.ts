/**
 * A schedule maps the global training step (0-based) to a number: the KL weight, beta, or capacity.
 * Schedules are plain serializable configs so a checkpoint can record and resume them.
 */
export type ScheduleConfig =
  | { type: 'constant'; value: number }
  /** From `from` to `to` over `steps`, then held at `to` (KL warm-up: from 0 to 1). */
  | { type: 'linear'; from: number; to: number; steps: number }
  /**
   * Cyclical annealing (Fu et al. 2019): each cycle of `period` steps ramps from 0 to `max` over the
   * first `rampFraction` of the cycle, then holds.
   */
  | { type: 'cyclical'; period: number; rampFraction: number; max?: number };

export type Schedule = (step: number) => number;

export function createSchedule(config: ScheduleConfig): Schedule {
  switch (config.type) {
    case 'constant': {
      requireFinite('constant value', config.value);
      return () => config.value;
    }
    case 'linear': {
      requireFinite('linear from', config.from);
      requireFinite('linear to', config.to);
      if (!(config.steps >= 0)) throw new RangeError(`linear schedule steps must be >= 0, got ${config.steps}`);
      return (step) => {
        if (config.steps === 0 || step >= config.steps) return config.to;
        return config.from + ((config.to - config.from) * Math.max(0, step)) / config.steps;
      };
    }
    case 'cyclical': {
      if (!(config.period >= 1)) throw new RangeError(`cyclical period must be >= 1 step, got ${config.period}`);
      if (!(config.rampFraction > 0 && config.rampFraction <= 1)) {
        throw new RangeError(`cyclical rampFraction must be in (0, 1], got ${config.rampFraction}`);
      }
      const max = config.max ?? 1;
      const rampSteps = config.period * config.rampFraction;
      return (step) => {
        const inCycle = Math.max(0, step) % config.period;
        return inCycle >= rampSteps ? max : (max * inCycle) / rampSteps;
      };
    }
    default: {
      const unknown: never = config;
      throw new RangeError(`unknown schedule ${JSON.stringify(unknown)}`);
    }
  }
}

/** KL warm-up from 0 to 1 over `steps` steps: the usual guard against early posterior collapse. */
export function klWarmup(steps: number): ScheduleConfig {
  return { type: 'linear', from: 0, to: 1, steps };
}

function requireFinite(what: string, value: number): void {
  if (!Number.isFinite(value)) throw new RangeError(`${what} must be a finite number, got ${value}`);
}
