import * as tf from '@tensorflow/tfjs-core';
import type { SeededRandom } from '../random.js';
import { sumPerExample } from '../reduce.js';
import { ScaleSource, scaleParamsPerValue, scaleWeights, type LocationScale, type ScaleSettings } from './scale-mode.js';
import type { Likelihood, LikelihoodConfig, LikelihoodDescription, LikelihoodSupport } from './types.js';

/** What one location-scale family supplies, per value, given its location and log-scale. */
export interface LocationScaleFamily {
  readonly type: string;
  readonly support: LikelihoodSupport;
  /**
   * The location a decoder output of 0 stands for. A decoder starts with outputs near 0; data on [0, 1]
   * then sits on one side of every location, and every residual has the same sign whatever the image.
   * A likelihood whose gradient in the location is bounded (logistic, Laplace) then passes the encoder
   * nothing that tells images apart, and the code learns luminance at best. Starting in the middle of
   * the support gives residuals of both signs from the first step. Absent: 0.
   */
  readonly locationOrigin?: number;
  logDensity(location: tf.Tensor, logScale: tf.Tensor, x: tf.Tensor): tf.Tensor;
  mean(location: tf.Tensor, logScale: tf.Tensor): tf.Tensor;
  sample(location: tf.Tensor, logScale: tf.Tensor, rng: SeededRandom): tf.Tensor;
}

export function describeLocationScale(family: Pick<LocationScaleFamily, 'type' | 'support'>, settings: ScaleSettings): LikelihoodDescription {
  return {
    type: family.type,
    support: family.support,
    paramsPerValue: scaleParamsPerValue(settings.mode),
    weights: scaleWeights(settings.mode),
  };
}

export function createLocationScale(family: LocationScaleFamily, settings: ScaleSettings, config: LikelihoodConfig): Likelihood {
  const scale = new ScaleSource(settings, family.type);
  const origin = family.locationOrigin ?? 0;
  const read = (params: tf.Tensor): LocationScale => {
    const raw = scale.read(params);
    return origin === 0 ? raw : { location: tf.add(raw.location, origin), logScale: raw.logScale };
  };
  return {
    ...describeLocationScale(family, settings),
    config,
    logProb: (params, x) =>
      tf.tidy(() => {
        const { location, logScale } = read(params);
        return sumPerExample(family.logDensity(location, logScale, x));
      }),
    mean: (params) =>
      tf.tidy(() => {
        const { location, logScale } = read(params);
        return family.mean(location, logScale);
      }),
    sample: (params, rng) =>
      tf.tidy(() => {
        const { location, logScale } = read(params);
        return family.sample(location, logScale, rng);
      }),
    variables: () => scale.variables(),
    dispose: () => scale.dispose(),
  };
}

/** Resolved scale settings from a config's mode, scale and floor fields. */
export function scaleSettings(config: LikelihoodConfig, modeField: string, scaleField: string, minField: string): ScaleSettings {
  return {
    mode: config[modeField] as ScaleSettings['mode'],
    scale: config[scaleField] as number,
    minScale: config[minField] as number,
  };
}
