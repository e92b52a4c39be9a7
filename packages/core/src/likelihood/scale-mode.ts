import * as tf from '@tensorflow/tfjs-core';
import { finiteNumber, oneOf } from '../config-field-kinds.js';
import type { ConfigField } from '../config-schema.js';
import type { NamedVariable } from '../model.js';
import type { WeightSpec } from '../serialization/weight-manifest.js';
import { splitParams } from './params.js';

/**
 * Where a location-scale likelihood's scale comes from:
 * - `fixed`: one given scale for every value;
 * - `learned-global`: one trainable scale shared by every value (a weight of the likelihood);
 * - `learned-per-pixel`: the decoder predicts a log-scale for each value, next to its location, relative
 *   to the configured scale.
 */
export type ScaleMode = 'fixed' | 'learned-global' | 'learned-per-pixel';

export const SCALE_MODES: readonly ScaleMode[] = ['fixed', 'learned-global', 'learned-per-pixel'];

export const GLOBAL_SCALE_WEIGHT = 'likelihood/logScale';

export function scaleModeField(defaultMode: ScaleMode): ConfigField<ScaleMode> {
  return oneOf<ScaleMode>(defaultMode, SCALE_MODES);
}

export function positiveScaleField(defaultValue: number, note: string): ConfigField<number> {
  return finiteNumber(defaultValue, { min: 0, minExclusive: true, note });
}

export interface ScaleSettings {
  readonly mode: ScaleMode;
  /**
   * The scale for `fixed`; the starting scale for `learned-global`; for `learned-per-pixel` the scale a
   * predicted log-scale of 0 means (the decoder's output is added to its log).
   */
  readonly scale: number;
  /** Learned scales are held at or above this, so a collapsing scale cannot make the density infinite. */
  readonly minScale: number;
}

export function scaleParamsPerValue(mode: ScaleMode): number {
  return mode === 'learned-per-pixel' ? 2 : 1;
}

export function scaleWeights(mode: ScaleMode): WeightSpec[] {
  return mode === 'learned-global' ? [{ name: GLOBAL_SCALE_WEIGHT, shape: [], dtype: 'float32' }] : [];
}

/** The location and log-scale a location-scale likelihood reads from the decoder's parameters. */
export interface LocationScale {
  readonly location: tf.Tensor;
  /** A tensor broadcastable against the location (a scalar for fixed and global scales). */
  readonly logScale: tf.Tensor;
}

/** The scale half of a location-scale likelihood: its weight (if global), and reading parameters. */
export class ScaleSource {
  private readonly globalLogScale: tf.Variable | undefined;
  private readonly logMinScale: number;

  constructor(
    private readonly settings: ScaleSettings,
    private readonly type: string,
  ) {
    this.logMinScale = Math.log(settings.minScale);
    // The variable keeps the values; the tidy releases the initial tensor it was made from.
    this.globalLogScale =
      settings.mode === 'learned-global' ? tf.tidy(() => tf.variable(tf.scalar(Math.log(settings.scale)), true)) : undefined;
  }

  read(params: tf.Tensor): LocationScale {
    const { mode } = this.settings;
    if (mode === 'learned-per-pixel') {
      // Offset by the configured scale so a decoder that starts near zero starts at that scale: a
      // logistic of scale 1 on [0, 1] pixels is nearly flat, and its mean is grey whatever the location.
      const [location, rawLogScale] = splitParams(params, 2, this.type);
      return { location: location!, logScale: tf.maximum(tf.add(rawLogScale!, Math.log(this.settings.scale)), this.logMinScale) };
    }
    const location = params.clone();
    if (this.globalLogScale) return { location, logScale: tf.maximum(this.globalLogScale, this.logMinScale) };
    return { location, logScale: tf.scalar(Math.log(this.settings.scale)) };
  }

  variables(): NamedVariable[] {
    return this.globalLogScale ? [{ name: GLOBAL_SCALE_WEIGHT, variable: this.globalLogScale, trainable: true }] : [];
  }

  dispose(): void {
    this.globalLogScale?.dispose();
  }
}
