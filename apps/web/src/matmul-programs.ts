// Times each of tfjs-backend-webgpu's matMul programs on the matMuls of the page's training step, to find
// which one a software adapter runs fastest. Not part of the page: scripts/measure-steps.mjs --matmul loads
// it into the page served by the dev server.
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@vaekit/backends';

/** One matMul as the training step runs it: `a` is [m, k] (or [k, m] transposed), `b` is [k, n] (or [n, k]). */
export interface MatMulCase {
  label: string;
  m: number;
  k: number;
  n: number;
  transposeA: boolean;
  transposeB: boolean;
}

export interface MatMulTiming {
  label: string;
  /**
   * tfjs's MatMulProgramType, or -1 for none (then @vaekit/backends routes the matMul: its blocked program on
   * a software adapter, tfjs's own choice on a GPU), and the milliseconds it took, median over the repeats.
   */
  programs: { program: number; kernelMs: number; wallMs: number }[];
}

const PROGRAM_FLAG = 'WEBGPU_MATMUL_PROGRAM_TYPE';

function median(values: readonly number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function timeOnce(a: tf.Tensor, b: tf.Tensor, c: MatMulCase): Promise<{ kernelMs: number; wallMs: number }> {
  const started = performance.now();
  let kernelMs = 0;
  const profile = await tf.profile(async () => {
    const out = tf.matMul(a, b, c.transposeA, c.transposeB);
    await out.data();
    out.dispose();
  });
  const wallMs = performance.now() - started;
  for (const kernel of profile.kernels) if (typeof kernel.kernelTimeMs === 'number') kernelMs += kernel.kernelTimeMs;
  return { kernelMs, wallMs };
}

/**
 * On webgpu, runs every case with each program in `programs` (tfjs's MatMulProgramType numbers, -1 for no
 * choice): one untimed call to compile the shader, then `repeats` timed ones.
 */
export async function timeMatMulPrograms(cases: MatMulCase[], programs: number[], repeats: number): Promise<MatMulTiming[]> {
  await useBackend('webgpu');
  const env = tf.env();
  const results: MatMulTiming[] = [];
  for (const c of cases) {
    const a = tf.randomUniform(c.transposeA ? [c.k, c.m] : [c.m, c.k], -1, 1, 'float32', 1);
    const b = tf.randomUniform(c.transposeB ? [c.n, c.k] : [c.k, c.n], -1, 1, 'float32', 2);
    const timing: MatMulTiming = { label: c.label, programs: [] };
    try {
      for (const program of programs) {
        env.set(PROGRAM_FLAG, program);
        try {
          await timeOnce(a, b, c);
          const runs: { kernelMs: number; wallMs: number }[] = [];
          for (let i = 0; i < repeats; i++) runs.push(await timeOnce(a, b, c));
          timing.programs.push({
            program,
            kernelMs: median(runs.map((r) => r.kernelMs)),
            wallMs: median(runs.map((r) => r.wallMs)),
          });
        } finally {
          env.set(PROGRAM_FLAG, -1);
        }
      }
    } finally {
      tf.dispose([a, b]);
    }
    results.push(timing);
  }
  return results;
}
