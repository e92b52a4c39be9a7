/** Row-major rows of equal width, in Float64, with each row's squared norm. */
export interface DenseRows {
  readonly values: Float64Array;
  readonly rows: number;
  readonly dims: number;
  readonly squaredNorms: Float64Array;
}

export function denseRows(values: ArrayLike<number>, rows: number, dims: number): DenseRows {
  const copy = Float64Array.from(values);
  const squaredNorms = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let d = 0; d < dims; d++) sum += copy[r * dims + d]! ** 2;
    squaredNorms[r] = sum;
  }
  return { values: copy, rows, dims, squaredNorms };
}

// A tile of 64 × 256 rows: the column rows (256 × 128 dims × 8 bytes = 256 kB) stay in cache while every
// row of the tile is compared with them, and the tile's distances are a 128 kB buffer reused throughout.
const TILE_ROWS = 64;
const TILE_COLUMNS = 256;

/**
 * Every squared Euclidean distance between rows of `a` and rows of `b`, one tile at a time, so memory
 * stays a few hundred kB whatever the sizes. `visit(i0, i1, j0, j1, tile)` sees
 * `tile[(i − i0) * (j1 − j0) + (j − j0)]` = ‖a_i − b_j‖²; the buffer is reused for the next tile. With
 * `skipBelowDiagonal` (a and b the same set) tiles holding only pairs j < i are left out.
 */
export function forEachDistanceTile(
  a: DenseRows,
  b: DenseRows,
  visit: (i0: number, i1: number, j0: number, j1: number, tile: Float64Array) => void,
  options: { readonly skipBelowDiagonal?: boolean } = {},
): void {
  const dims = a.dims;
  const tile = new Float64Array(TILE_ROWS * TILE_COLUMNS);
  const av = a.values;
  const bv = b.values;
  for (let i0 = 0; i0 < a.rows; i0 += TILE_ROWS) {
    const i1 = Math.min(a.rows, i0 + TILE_ROWS);
    for (let j0 = 0; j0 < b.rows; j0 += TILE_COLUMNS) {
      const j1 = Math.min(b.rows, j0 + TILE_COLUMNS);
      // Within one set the distances are symmetric: a tile wholly below the diagonal repeats one above it.
      if (options.skipBelowDiagonal && j1 <= i0) continue;
      const width = j1 - j0;
      for (let i = i0; i < i1; i++) {
        const ai = i * dims;
        const normA = a.squaredNorms[i]!;
        const out = (i - i0) * width;
        for (let j = j0; j < j1; j++) {
          const bj = j * dims;
          // Four running sums let the engine overlap the multiply-adds.
          let s0 = 0;
          let s1 = 0;
          let s2 = 0;
          let s3 = 0;
          let d = 0;
          for (; d + 3 < dims; d += 4) {
            s0 += av[ai + d]! * bv[bj + d]!;
            s1 += av[ai + d + 1]! * bv[bj + d + 1]!;
            s2 += av[ai + d + 2]! * bv[bj + d + 2]!;
            s3 += av[ai + d + 3]! * bv[bj + d + 3]!;
          }
          for (; d < dims; d++) s0 += av[ai + d]! * bv[bj + d]!;
          // ‖a‖² + ‖b‖² − 2a·b can round below zero for near-identical rows.
          tile[out + j - j0] = Math.max(0, normA + b.squaredNorms[j]! - 2 * (s0 + s1 + s2 + s3));
        }
      }
      visit(i0, i1, j0, j1, tile);
    }
  }
}
