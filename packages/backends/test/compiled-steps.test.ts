import { describe, expect, it } from 'vitest';

import { NATIVE_EXTENSIONS_VERSION, compiledStepsSupport, useBackend } from '@vaekit/backends';

// How @vaekit/backends decides whether compiled steps are available, on stand-ins for tfjs-node's binding:
// a stock addon, one from another patch version, one missing a function, and a complete one.
describe('compiledStepsSupport', () => {
  const fn = (): void => undefined;
  const complete = { registerGraphAsFunction: fn, hasFunction: fn, removeFunction: fn, vaekitExtensions: NATIVE_EXTENSIONS_VERSION };

  it('is available on a binding with every extension of the expected version', () => {
    expect(compiledStepsSupport(complete)).toEqual({ available: true, version: NATIVE_EXTENSIONS_VERSION });
  });

  it('names the rebuild command for a binding built without the patch', () => {
    const support = compiledStepsSupport({ executeOp: fn, TF_Version: '2.21.0' });
    expect(support).toEqual({ available: false, reason: expect.stringMatching(/built without vaekit's binding patch: run `npx vaekit-native-setup`.*runs eagerly/) as unknown });
  });

  it('refuses another version, and a binding that misses a function', () => {
    expect(compiledStepsSupport({ ...complete, vaekitExtensions: NATIVE_EXTENSIONS_VERSION + 1 })).toMatchObject({
      available: false,
      reason: expect.stringContaining(`extensions v${NATIVE_EXTENSIONS_VERSION + 1}, and this @vaekit/backends needs v${NATIVE_EXTENSIONS_VERSION}`) as unknown,
    });
    const { removeFunction: _dropped, ...partial } = complete;
    expect(compiledStepsSupport(partial)).toMatchObject({ available: false, reason: expect.stringContaining('lacks removeFunction') as unknown });
  });

  it('is unavailable without a binding at all', () => {
    expect(compiledStepsSupport(undefined)).toMatchObject({ available: false });
  });

  it('the other backends report compiled steps off, with the reason', async () => {
    for (const name of ['cpu', 'wasm'] as const) {
      const info = await useBackend(name);
      expect(info.compiledSteps).toBe(false);
      expect(info.compiledStepsReason).toBe('compiled steps run on the native backend only');
    }
  });
});
