import {
  anyWholeNumber,
  checkWhole,
  defineSchema,
  resolveLikelihoodConfig,
  type ConfigField,
  type LikelihoodConfig,
  type ModelConfig,
} from '@vaekit/core';
import { DEFAULT_ARCHITECTURE, type ArchitectureConfig } from './networks.js';

/** What every built-in model's config has: the data's shape, the networks' body, p(x | z) and a seed. */
export interface NetworkConfig extends ModelConfig {
  /** Shape of one example without the batch dimension: [784] flat, or [28, 28, 1] for images. */
  readonly inputShape: readonly number[];
  /** Encoder body; the decoder mirrors it. */
  readonly architecture: ArchitectureConfig;
  readonly likelihood: LikelihoodConfig;
  /** Seeds the weight initialization. */
  readonly seed: number;
}

const inputShape: ConfigField<readonly number[]> = {
  default: [784],
  check: (value, fail) => {
    if (!Array.isArray(value) || value.length === 0) return fail('must be a non-empty array such as [784] or [28, 28, 1]');
    return value.map((d, i) => checkWhole(d, 1, fail, '', `[${i}]`));
  },
};

const architecture: ConfigField<ArchitectureConfig> = {
  default: DEFAULT_ARCHITECTURE,
  check: (value, fail) => {
    const arch = value as Partial<Record<string, unknown>> | null;
    if (arch?.['type'] === 'mlp') {
      const units = arch['hiddenUnits'];
      if (!Array.isArray(units)) return fail('must list hiddenUnits, e.g. [512, 512]', '.hiddenUnits');
      return { type: 'mlp', hiddenUnits: units.map((u, i) => checkWhole(u, 1, fail, '', `.hiddenUnits[${i}]`)) };
    }
    if (arch?.['type'] === 'conv') {
      const filters = arch['filters'];
      if (!Array.isArray(filters)) return fail('must list filters, e.g. [32, 64]', '.filters');
      return {
        type: 'conv',
        filters: filters.map((f, i) => checkWhole(f, 1, fail, '', `.filters[${i}]`)),
        kernelSize: checkWhole(arch['kernelSize'], 1, fail, '', '.kernelSize'),
        denseUnits: checkWhole(arch['denseUnits'], 1, fail, '', '.denseUnits'),
      };
    }
    return fail("must be 'mlp' or 'conv'", '.type');
  },
};

const likelihood: ConfigField<LikelihoodConfig> = {
  default: { type: 'bernoulli' },
  check: (value, fail) => {
    try {
      return resolveLikelihoodConfig(value);
    } catch (error) {
      return fail(`is not a usable likelihood: ${(error as Error).message}`);
    }
  },
};

/** The fields every built-in model shares; each variant's schema extends it. */
export const NETWORK_SCHEMA = defineSchema<NetworkConfig>('Network', {
  inputShape,
  architecture,
  likelihood,
  seed: anyWholeNumber(0),
});
