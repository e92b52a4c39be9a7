import type { SamplerPairFixture } from './pair-fixture.js';

/** The test context's `skip`, which throws to end the test. */
type Skip = (note: string) => never;

/** Ends the check as skipped, with the reason, when the sampler cannot serve the pair's model. */
export function skipUnlessSupported(p: SamplerPairFixture, skip: Skip): void {
  const reason = p.unsupportedReason();
  if (reason !== undefined) skip(`${p.label} is unsupported: ${reason}`);
}
