/** Where a reduce-on-plateau schedule stands; a checkpoint saves it, so a resume reduces at the same epochs. */
export interface PlateauState {
  /** The best monitored value so far; null before the first epoch ends. */
  readonly best: number | null;
  /** Epochs in a row without an improvement, since the best or the last reduction. */
  readonly badEpochs: number;
  /** The rate in force. */
  readonly learningRate: number;
}

export interface PlateauRule {
  readonly factor: number;
  readonly patience: number;
  readonly minDelta: number;
  readonly minLearningRate: number;
}

export function startPlateau(learningRate: number): PlateauState {
  return { best: null, badEpochs: 0, learningRate };
}

/**
 * The state after an epoch whose monitored value was `value`: an improvement (below the best by more
 * than `minDelta`) resets the count; `patience` epochs without one multiply the rate by `factor`, never
 * below `minLearningRate`, and start the count over.
 */
export function plateauAfterEpoch(state: PlateauState, rule: PlateauRule, value: number): PlateauState {
  if (state.best === null || value < state.best - rule.minDelta) return { ...state, best: value, badEpochs: 0 };
  const badEpochs = state.badEpochs + 1;
  if (badEpochs < rule.patience) return { ...state, badEpochs };
  return { ...state, badEpochs: 0, learningRate: Math.max(state.learningRate * rule.factor, rule.minLearningRate) };
}
