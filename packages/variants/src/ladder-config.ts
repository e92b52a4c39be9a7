import type { ArchitectureConfig } from './networks.js';
import { resolveVaeConfig, type VaeConfig } from './vae-config.js';

/**
 * Ladder VAE config. Stochastic layers are listed bottom (next to x) to top: `latentDims[0]` is z_1,
 * the layer the decoder reads, and the last entry is the top layer z_L with prior N(0, I).
 * `latentDim` is derived: the total of `latentDims`, the width of `encode`'s concatenated code.
 */
export interface LadderVaeConfig extends VaeConfig {
  /** Width of each stochastic layer, bottom to top; at least two layers. */
  readonly latentDims: readonly number[];
  /**
   * Width of each deterministic block, bottom to top (one per stochastic layer). Block i feeds layer i's
   * bottom-up estimate; the same width is used by the top-down block that maps z_{i+1} to p(z_i | z_{i+1}).
   */
  readonly hiddenUnits: readonly number[];
}

/** Defaults beyond the VAE's: two stochastic layers [32, 16], blocks of [256, 128], a one-layer MLP body. */
export const LADDER_DEFAULTS: Pick<LadderVaeConfig, 'latentDims' | 'hiddenUnits' | 'architecture'> = {
  latentDims: [32, 16],
  hiddenUnits: [256, 128],
  architecture: { type: 'mlp', hiddenUnits: [512] } satisfies ArchitectureConfig,
};

export function resolveLadderConfig(partial: Partial<LadderVaeConfig>, className = 'LadderVAE'): LadderVaeConfig {
  const latentDims = partial.latentDims ?? LADDER_DEFAULTS.latentDims;
  const hiddenUnits = partial.hiddenUnits ?? LADDER_DEFAULTS.hiddenUnits;
  const wholeList = (name: string, list: unknown, minLength: number): void => {
    if (!Array.isArray(list) || list.length < minLength) {
      throw new RangeError(`${className}: ${name} must be an array of at least ${minLength} whole numbers >= 1, got ${JSON.stringify(list)}`);
    }
    list.forEach((v, i) => {
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`${className}: ${name}[${i}] must be a whole number >= 1, got ${String(v)}`);
    });
  };
  wholeList('latentDims', latentDims, 2);
  wholeList('hiddenUnits', hiddenUnits, 1);
  if (hiddenUnits.length !== latentDims.length) {
    throw new RangeError(
      `${className}: hiddenUnits needs one width per stochastic layer (${latentDims.length}), got ${hiddenUnits.length}`,
    );
  }
  const total = latentDims.reduce((a, b) => a + b, 0);
  if (partial.latentDim !== undefined && partial.latentDim !== total) {
    throw new RangeError(`${className}: latentDim is the total of latentDims (${total}); got ${partial.latentDim}. Omit it.`);
  }
  const base = resolveVaeConfig(className, {
    architecture: LADDER_DEFAULTS.architecture,
    ...partial,
    latentDim: total,
  }, ['latentDims', 'hiddenUnits']);
  return { ...base, latentDims: [...latentDims], hiddenUnits: [...hiddenUnits] };
}
