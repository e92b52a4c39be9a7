import { evaluate } from '@vaekit/core';
import { BACKEND_OPTION, COMMON_OPTIONS, numberFlag, parse } from '../args.js';
import { COMPILE_OPTION, COMPILE_EVAL_USAGE, compileSetting } from '../compile-flag.js';
import type { Command } from '../command.js';
import { evaluationDataFor } from '../data-source.js';
import { locateRun, RUN_USAGE } from '../run-facts.js';
import { evaluationTable, noteOnce } from '../eval-report.js';
import { likelihoodOf } from '../models.js';
import { withModelFile } from '../model-file.js';
import { countProgress } from '../progress.js';
import { requireSamplerFile } from '../samplers/sampler-file.js';
import { evaluateSampler, samplerRows, withEvaluationSampler } from './eval-sampler.js';

const OPTIONS = {
  ...COMMON_OPTIONS,
  ...BACKEND_OPTION,
  ...COMPILE_OPTION,
  'model-file': { type: 'string' },
  run: { type: 'string' },
  data: { type: 'string' },
  rows: { type: 'string' },
  binarize: { type: 'string' },
  k: { type: 'string' },
  limit: { type: 'string' },
  'batch-size': { type: 'string' },
  seed: { type: 'string' },
  json: { type: 'boolean' },
  sampler: { type: 'string' },
} as const;

const USAGE = `usage: vaekit eval --run runs/X [options]   (or --model-file runs/X/model.vaekit)

Reports the ELBO and its terms, the importance-weighted (IWAE) estimate of the negative log-likelihood,
active latent units and any variant-specific metrics (e.g. codebook perplexity), averaged per example.

options:
${RUN_USAGE}
  --k N               importance samples for the IWAE bound (default 1000; 0 skips it)
  --limit N           evaluate the first N examples only
  --batch-size N      examples per batch (default 256; lower it if memory is tight with large k)
  --seed N            seed of the noise and binarization draws (default 0)
  --sampler FILE      a sampler file (vaekit fit-sampler); a VQ-VAE's code prior adds the NLL bound
                      with it as the prior, beside the uniform prior's; other samplers change no bound
  --json              print one JSON object on stdout and nothing else
  --backend B         auto (default), native, wasm or cpu
${COMPILE_EVAL_USAGE}
  --debug             print stack traces for every error
  -h, --help          this help`;

export const evalCommand: Command = {
  name: 'eval',
  summary: 'ELBO, IWAE NLL, active units and variant metrics of a trained model',
  usage: USAGE,
  async run(argv) {
    const { values } = parse(argv, OPTIONS);
    const k = numberFlag('k', values.k, { integer: true, min: 0 }) ?? 1000;
    const limit = numberFlag('limit', values.limit, { integer: true, min: 1 });
    const batchSize = numberFlag('batch-size', values['batch-size'], { integer: true, min: 1 }) ?? 256;
    const seed = numberFlag('seed', values.seed, { integer: true, min: 0 }) ?? 0;
    const json = values.json === true;
    const { modelFile, run } = locateRun(values);
    const samplerFile = values.sampler === undefined ? undefined : requireSamplerFile(values.sampler);
    await withModelFile(modelFile, values.backend, { quiet: json, refuseNonFinite: true }, async (model, backend) => {
      // Loaded and checked before the evaluation, so a sampler of another model fails at once.
      await withEvaluationSampler(model, samplerFile, async (sampler) => {
        const { data, source, rows } = evaluationDataFor(model, values, run, seed, limit);
        if (!json) process.stderr.write(`evaluating on ${rows}\n`);
        // With --json nothing but the JSON object goes out, not even progress on stderr.
        const progress = json ? null : countProgress(process.stderr, `evaluating (k=${k})`);
        const compile = compileSetting(values.compile, backend);
        const result = await evaluate(model, data, {
          k,
          batchSize,
          seed,
          compile,
          ...(json ? {} : { onCompile: noteOnce((line) => progress?.note(line)) }),
          ...(progress ? { onProgress: (done: number, total: number) => progress.update(done, total) } : {}),
        });
        progress?.clear();
        const withSampler = sampler ? await evaluateSampler(model, sampler, data, { batchSize, seed }) : undefined;
        const dimensions = model.inputShape.reduce((a, b) => a * b, 1);
        const output = json
          ? JSON.stringify(
              { model: model.className, likelihood: likelihoodOf(model), backend: backend.name, data: source, rows, ...result, ...(withSampler ? { sampler: withSampler } : {}) },
              null,
              2,
            )
          : evaluationTable(model.className, source, result, likelihoodOf(model).type, dimensions, withSampler ? samplerRows(withSampler, dimensions) : []);
        process.stdout.write(`${output}\n`);
      });
    });
    return 0;
  },
};

