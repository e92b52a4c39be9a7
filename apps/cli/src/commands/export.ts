import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ExportError, type DecoderOutput, type EncoderOutput, type ExportResult } from '@vaekit/core';
import { exportModel } from '@vaekit/core/node';
import { BACKEND_OPTION, choiceFlag, COMMON_OPTIONS, parse } from '../args.js';
import type { Command } from '../command.js';
import { RunError, UsageError } from '../errors.js';
import { withModelFile } from '../model-file.js';
import { locateRun } from '../run-facts.js';

const OPTIONS = {
  ...COMMON_OPTIONS,
  ...BACKEND_OPTION,
  'model-file': { type: 'string' },
  run: { type: 'string' },
  out: { type: 'string' },
  encoder: { type: 'string' },
  decoder: { type: 'string' },
  force: { type: 'boolean' },
} as const;

const ENCODER_OUTPUTS: readonly EncoderOutput[] = ['mean', 'mean-and-log-variance'];
const DECODER_OUTPUTS: readonly DecoderOutput[] = ['mean', 'parameters'];

const USAGE = `usage: vaekit export --model-file runs/X/model.vaekit --out DIR [options]   (or --run runs/X)

Writes the model's encoder and decoder as TensorFlow.js LayersModels (DIR/encoder/ and DIR/decoder/,
each a model.json and its weights.bin) that plain @tensorflow/tfjs loads without vaekit.

options:
  --model-file PATH   a model.vaekit written by vaekit train
  --run DIR           a run folder written by vaekit train (its model.vaekit)
  --out DIR           the folder to write (required)
  --encoder E         mean (default): the posterior mean; mean-and-log-variance: two outputs
  --decoder D         mean (default): the likelihood's mean, as vaekit sample shows it;
                      parameters: the likelihood's parameters, as the decoder emits them
  --force             replace an export already in DIR
  --backend B         auto (default), native, wasm or cpu
  --debug             print stack traces for every error
  -h, --help          this help`;

/** DIR must be a folder (or not exist yet), and hold no earlier export unless --force. */
function checkOutFolder(out: string | undefined, force: boolean): string {
  if (out === undefined || out.trim() === '') throw new UsageError('--out is required: the folder to write the exported models to');
  if (existsSync(out) && !statSync(out).isDirectory()) throw new RunError(`--out ${out} is a file; give a folder to write encoder/ and decoder/ into`);
  const earlier = ['encoder', 'decoder', 'codebook'].filter((part) => existsSync(join(out, part, 'model.json')));
  if (earlier.length > 0 && !force) {
    throw new RunError(`--out ${out} already holds an export (${earlier.join(', ')}); add --force to replace it, or choose another folder`);
  }
  return out;
}

/** What was written, and how plain TensorFlow.js loads it. */
function report(out: string, result: ExportResult): string {
  const shape = (s: readonly number[]): string => `[batch, ${s.join(', ')}]`;
  const lines = result.parts.map(
    (p) => `wrote ${join(out, p.part)}/ (model.json, weights.bin): ${shape(p.inputShape)} -> ${p.outputShapes.map(shape).join(' and ')}, ${p.description}`,
  );
  const absolute = resolve(out);
  return [
    ...lines,
    ...result.notes.map((note) => `note: ${note}`),
    '',
    'load with plain TensorFlow.js:',
    `  Node:    const tf = require('@tensorflow/tfjs-node'); const decoder = await tf.loadLayersModel('file://${absolute}/decoder/model.json');`,
    "  browser: import * as tf from '@tensorflow/tfjs'; const decoder = await tf.loadLayersModel('https://your.site/models/decoder/model.json');",
    '  then:    decoder.predict(tf.randomNormal([16, latentDim])) gives 16 samples; encoder.predict(x) gives codes.',
  ].join('\n');
}

export const exportCommand: Command = {
  name: 'export',
  summary: 'write the encoder and decoder as plain TensorFlow.js models',
  usage: USAGE,
  async run(argv) {
    const { values } = parse(argv, OPTIONS);
    const encoder = choiceFlag('encoder', values.encoder, ENCODER_OUTPUTS) ?? 'mean';
    const decoder = choiceFlag('decoder', values.decoder, DECODER_OUTPUTS) ?? 'mean';
    const out = checkOutFolder(values.out, values.force === true);
    const { modelFile } = locateRun(values);
    const result = await withModelFile(modelFile, values.backend, {}, async (model) => {
      try {
        return await exportModel(model, out, { encoder, decoder });
      } catch (error) {
        if (error instanceof ExportError) throw new RunError(error.message);
        throw error;
      }
    });
    process.stdout.write(`${report(out, result)}\n`);
    return 0;
  },
};
