// The model and optimizer the page trains, in one place so the page and its measurement scripts agree.

/** An MLP VAE small enough to learn recognisable digits in a few hundred steps. */
export const MODEL = {
  inputShape: [784],
  latentDim: 16,
  architecture: { type: 'mlp' as const, hiddenUnits: [256] },
  seed: 1,
};
export const BATCH_SIZE = 100;
export const LEARNING_RATE = 2e-3;
