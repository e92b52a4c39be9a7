import { afterEach, describe, expect, it } from 'vitest';
import { getRegisteredModel, listModels, registerModel, type RegisteredModel } from '../src/index.js';

const NAME = 'RegistryTestModel';

function entry(source?: string, description = 'a test entry'): RegisteredModel {
  return {
    className: NAME,
    description,
    create: () => {
      throw new Error('never built');
    },
    testConfig: {},
    ...(source !== undefined ? { source } : {}),
  };
}

// The registry is one map per program: take the test's entry out again so other tests never see it.
const REGISTRY_KEY = Symbol.for('vaekit.model-registry');
afterEach(() => {
  (globalThis as { [REGISTRY_KEY]?: Map<string, RegisteredModel> })[REGISTRY_KEY]?.delete(NAME);
});

describe('registerModel', () => {
  it('lists a registered model and accepts the very same entry twice', () => {
    const first = entry();
    registerModel(first);
    registerModel(first);
    expect(getRegisteredModel(NAME)).toBe(first);
    expect(listModels().filter((m) => m.className === NAME)).toHaveLength(1);
  });

  it('refuses another entry under a registered name, saying who registered it', () => {
    registerModel(entry('@acme/models'));
    expect(() => registerModel(entry())).toThrow(/'RegistryTestModel' is already registered by @acme\/models/);
    expect(() => registerModel(entry('@other/models'))).toThrow(/already registered/);
  });

  it('keeps the first entry when a second copy of the same package registers the same name', () => {
    const first = entry('@vaekit/variants', 'first copy');
    registerModel(first);
    registerModel(entry('@vaekit/variants', 'second copy'));
    expect(getRegisteredModel(NAME)).toBe(first);
  });

  it('replaces an entry only when asked to', () => {
    registerModel(entry());
    const replacement = entry(undefined, 'replacement');
    registerModel(replacement, { replace: true });
    expect(getRegisteredModel(NAME)).toBe(replacement);
  });

  it('refuses a className a saved config could not name', () => {
    expect(() => registerModel({ ...entry(), className: '1 bad name' })).toThrow(RangeError);
  });
});
