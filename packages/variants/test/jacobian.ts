import * as tf from '@tensorflow/tfjs-core';

/** Jacobian ∂f(z)_d / ∂z_i of a map on one row z [1, D], one tf.grad per output coordinate. */
export function jacobian(f: (z: tf.Tensor) => tf.Tensor, z: tf.Tensor): number[][] {
  const dims = z.shape[1]!;
  return Array.from({ length: dims }, (_, d) => {
    const row = tf.grad((input: tf.Tensor) => tf.sum(tf.slice(f(input), [0, d], [1, 1])))(z);
    const values = Array.from(row.dataSync());
    row.dispose();
    return values;
  });
}

/** log|det A| by Gaussian elimination with partial pivoting. */
export function logAbsDet(matrix: number[][]): number {
  const a = matrix.map((row) => [...row]);
  const n = a.length;
  let logDet = 0;
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[pivot]![c]!)) pivot = r;
    [a[c], a[pivot]] = [a[pivot]!, a[c]!];
    const p = a[c]![c]!;
    logDet += Math.log(Math.abs(p));
    for (let r = c + 1; r < n; r++) {
      const factor = a[r]![c]! / p;
      for (let k = c; k < n; k++) a[r]![k]! -= factor * a[c]![k]!;
    }
  }
  return logDet;
}
