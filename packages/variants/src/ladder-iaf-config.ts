import { IAF_FIELDS, resolveIafFields, type IafVaeConfig } from './flow-config.js';
import { resolveLadderConfig, type LadderVaeConfig } from './ladder-config.js';

/**
 * A ladder VAE whose every stochastic layer's posterior is a Gaussian followed by IAF steps: the
 * ladder's fields (`LADDER_DEFAULTS`, batch norm on) plus the IAF's (`IAF_DEFAULTS`), which apply to
 * each layer alike.
 */
export interface LadderIafVaeConfig extends LadderVaeConfig, Pick<IafVaeConfig, 'flowSteps' | 'madeHiddenUnits' | 'contextUnits'> {}

export function resolveLadderIafConfig(partial: Partial<LadderIafVaeConfig>, className = 'LadderIAFVAE'): LadderIafVaeConfig {
  const iaf = resolveIafFields(className, partial);
  return { ...resolveLadderConfig(partial, className, IAF_FIELDS), ...iaf };
}
