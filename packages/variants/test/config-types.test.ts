// Every `@ts-expect-error` below is enforced by the package's typecheck (`tsc -p packages/variants`
// includes test/): if a misspelt field type-checked, the directive itself would be the error. The same
// calls then run, as a JavaScript caller's would, and must throw the run-time error naming the field.
import { createModel, type ModelConfigMap } from '@vaekit/core';
import { useCpu } from '@vaekit/test-utils';
import { beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import {
  BUILT_IN_VARIANTS,
  createBetaVae,
  createIafVae,
  createLadderIafVae,
  createLadderVae,
  createLearnedPriorVae,
  createPlanarFlowVae,
  createVae,
  createVqVae,
  type BetaVaeConfigInput,
  type VaeConfig,
  type VqVaeConfig,
} from '../src/index.js';

const BUILT_IN_NAMES = [
  'Vae',
  'BetaVae',
  'VqVae',
  'LadderVae',
  'LadderIafVae',
  'IafVae',
  'PlanarFlowVae',
  'LearnedPriorVae',
] as const satisfies readonly (keyof ModelConfigMap)[];

/** The run-time refusal of an unknown field: the model, the field, and the fields the model has. */
function unknownField(className: string, field: string, aRealField: string): RegExp {
  return new RegExp(`^${className} has no config field '${field}'; its fields are .*\\b${aRealField}\\b`);
}

beforeAll(useCpu);

describe('config types of the built-in variants', () => {
  it('declare a typed createModel config for every built-in, and only for them', () => {
    expectTypeOf<(typeof BUILT_IN_NAMES)[number]>().toEqualTypeOf<keyof ModelConfigMap>();
    expect(BUILT_IN_VARIANTS.map((variant) => variant.entry.className)).toEqual([...BUILT_IN_NAMES]);
  });

  it('type each create function with exactly its config fields', () => {
    expectTypeOf(createVae).parameter(0).toEqualTypeOf<Partial<VaeConfig> | undefined>();
    expectTypeOf(createVqVae).parameter(0).toEqualTypeOf<Partial<VqVaeConfig> | undefined>();
    expectTypeOf(createBetaVae).parameter(0).toEqualTypeOf<BetaVaeConfigInput | undefined>();
  });

  it('refuse a misspelt top-level field in every create function', () => {
    // @ts-expect-error: latentDm is not a VaeConfig field
    expect(() => createVae({ latentDm: 8 })).toThrow(unknownField('Vae', 'latentDm', 'latentDim'));
    // @ts-expect-error: betta is not a BetaVaeConfig field
    expect(() => createBetaVae({ betta: 2 })).toThrow(unknownField('BetaVae', 'betta', 'beta'));
    // @ts-expect-error: codebookSise is not a VqVaeConfig field
    expect(() => createVqVae({ codebookSise: 8 })).toThrow(unknownField('VqVae', 'codebookSise', 'codebookSize'));
    // @ts-expect-error: latentDimz is not a LadderVaeConfig field
    expect(() => createLadderVae({ latentDimz: [4, 2] })).toThrow(unknownField('LadderVae', 'latentDimz', 'latentDims'));
    // @ts-expect-error: flowStep is not a LadderIafVaeConfig field
    expect(() => createLadderIafVae({ flowStep: 2 })).toThrow(unknownField('LadderIafVae', 'flowStep', 'flowSteps'));
    // @ts-expect-error: madeHiddenUnit is not an IafVaeConfig field
    expect(() => createIafVae({ madeHiddenUnit: [8] })).toThrow(unknownField('IafVae', 'madeHiddenUnit', 'madeHiddenUnits'));
    // @ts-expect-error: flowStep is not a PlanarFlowVaeConfig field
    expect(() => createPlanarFlowVae({ flowStep: 2 })).toThrow(unknownField('PlanarFlowVae', 'flowStep', 'flowSteps'));
    // @ts-expect-error: latentDm is not a LearnedPriorVaeConfig field
    expect(() => createLearnedPriorVae({ latentDm: 8 })).toThrow(unknownField('LearnedPriorVae', 'latentDm', 'latentDim'));
  });

  it('refuse a field of the wrong type and a misspelt nested field', () => {
    // @ts-expect-error: latentDim is a number
    expect(() => createVae({ latentDim: '8' })).toThrow(/^Vae: latentDim /);
    // @ts-expect-error: an mlp architecture has hiddenUnits
    expect(() => createVae({ architecture: { type: 'mlp', hiddenUnit: [8] } })).toThrow(/^Vae: architecture\.hiddenUnits /);
    // @ts-expect-error: a capacity has maxNats
    expect(() => createBetaVae({ capacity: { maxNat: 2, annealSteps: 10 } })).toThrow(/^BetaVae: capacity\.maxNats /);
  });

  it('type createModel by className for the built-ins', () => {
    // @ts-expect-error: latentDm is not a VaeConfig field
    expect(() => createModel({ className: 'Vae', latentDm: 8 })).toThrow(unknownField('Vae', 'latentDm', 'latentDim'));
    // @ts-expect-error: VqVaeConfig has no beta
    expect(() => createModel({ className: 'VqVae', beta: 2 })).toThrow(unknownField('VqVae', 'beta', 'commitmentCost'));
  });

  it('keep createModel open to configs read from files and to classNames only known at run time', () => {
    const fromFile: unknown = JSON.parse('{ "className": "Vae", "latentDm": 8 }');
    expect(() => createModel(fromFile as { className: string })).toThrow(unknownField('Vae', 'latentDm', 'latentDim'));
    const className: string = 'Vae';
    expect(() => createModel({ className, latentDm: 8 })).toThrow(unknownField('Vae', 'latentDm', 'latentDim'));
    const model = createVae({ inputShape: [4], latentDim: 2, architecture: { type: 'mlp', hiddenUnits: [3] } });
    try {
      const again = createModel(model.getConfig());
      expect(again.getConfig()).toEqual(model.getConfig());
      again.dispose();
    } finally {
      model.dispose();
    }
  });
});
