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

/**
 * Defaults beyond the VAE's, whose encoder body and decoder (MLP 512, 512) the ladder shares: two
 * stochastic layers of 64 and 32 units over deterministic blocks of 512 and 256, the sizes of the
 * lower layers of Sønderby et al.'s MNIST ladders (widths halving upward). With 32 + 16 units and
 * blocks of 256 and 128 (the defaults before 0.2) the ladder trailed the plain VAE on MNIST; see the
 * variants table in the repository README.
 */
export const LADDER_DEFAULTS: Pick<LadderVaeConfig, 'latentDims' | 'hiddenUnits' | 'batchNorm'> = {
  latentDims: [64, 32],
  hiddenUnits: [512, 256],
  // On, unlike the other variants: Sønderby et al.'s recipe, and measured on MNIST (10 epochs, four
  // seeds), it lowers the ladder's test NLL by about 1.5 nats, its top layer keeping ~11 nats of KL where
  // without it the layer collapses to under 0.5. On the plain VAE it measured worse (94.0 against 93.6
  // on one seed), so the other variants leave it off.
  batchNorm: true,
};

/** `extraFields` are the fields a subclass's config adds (it checks their values itself). */
export function resolveLadderConfig(
  partial: Partial<LadderVaeConfig>,
  className = 'LadderVAE',
  extraFields: readonly string[] = [],
): LadderVaeConfig {
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
  const batchNorm = partial.batchNorm ?? LADDER_DEFAULTS.batchNorm;
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
    ...partial,
    latentDim: total,
    batchNorm,
  }, ['latentDims', 'hiddenUnits', ...extraFields]);
  return { ...base, latentDims: [...latentDims], hiddenUnits: [...hiddenUnits] };
}
