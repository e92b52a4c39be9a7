// The reliability suite's bookkeeping: named cases that pass or fail, a time budget, and the final
// `N passed, N failed` line. A case fails by throwing; its message is printed on one line under its name.

/** @typedef {{ name: string, ok: boolean, ms: number, detail: string }} CaseResult */

export class Suite {
  /** @param {{ deadline: number }} options deadline: Date.now() after which no new case starts */
  constructor({ deadline }) {
    this.deadline = deadline;
    this.started = Date.now();
    /** @type {CaseResult[]} */
    this.results = [];
  }

  /** Seconds since the suite started, for log lines. */
  elapsed() {
    return `${((Date.now() - this.started) / 1000).toFixed(1)}s`;
  }

  /** Milliseconds left before the deadline (never negative). */
  remainingMs() {
    return Math.max(0, this.deadline - Date.now());
  }

  /**
   * Runs one case. It passes when `fn` returns (its string, if any, is printed as the detail) and fails
   * when it throws. A case that would start after the deadline fails without running.
   * @param {string} name
   * @param {() => Promise<string | void> | string | void} fn
   */
  async case(name, fn) {
    const start = Date.now();
    if (start > this.deadline) return this.record(name, false, 0, 'not run: the suite is over its time budget');
    try {
      const detail = await fn();
      return this.record(name, true, Date.now() - start, typeof detail === 'string' ? detail : '');
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return this.record(name, false, Date.now() - start, message);
    }
  }

  /**
   * @param {string} name
   * @param {boolean} ok
   * @param {number} ms
   * @param {string} detail
   */
  record(name, ok, ms, detail) {
    this.results.push({ name, ok, ms, detail });
    const time = `(${(ms / 1000).toFixed(1)}s)`;
    const text = detail ? `: ${detail.replace(/\s*\n\s*/g, ' | ')}` : '';
    console.log(`[${this.elapsed()}] ${ok ? 'ok  ' : 'FAIL'} ${name} ${time}${text}`);
    return ok;
  }

  get passed() {
    return this.results.filter((r) => r.ok).length;
  }

  get failed() {
    return this.results.filter((r) => !r.ok).length;
  }

  /** The failures again, together, then the last line. */
  summary() {
    const failures = this.results.filter((r) => !r.ok);
    if (failures.length > 0) {
      console.log('');
      console.log('failures:');
      for (const f of failures) console.log(`  ${f.name}: ${f.detail.replace(/\s*\n\s*/g, ' | ')}`);
    }
    console.log('');
    console.log(`reliability suite: ${this.elapsed()} in all`);
    console.log(`${this.passed} passed, ${this.failed} failed`);
  }
}

/** Thrown by the checks' own assertions: the message is the whole story, no stack needed. */
export class CheckFailure extends Error {
  name = 'CheckFailure';
}

/**
 * @param {unknown} condition
 * @param {string | (() => string)} message
 * @returns {asserts condition}
 */
export function check(condition, message) {
  if (!condition) throw new CheckFailure(typeof message === 'function' ? message() : message);
}

/**
 * Runs `fn` over `items`, at most `jobs` at a time, in order of the items; stops taking new items once
 * `shouldStop()` is true. Results are in the items' order (undefined for items never started).
 * @template T, R
 * @param {readonly T[]} items
 * @param {number} jobs
 * @param {(item: T, index: number) => Promise<R>} fn
 * @param {() => boolean} [shouldStop]
 * @returns {Promise<(R | undefined)[]>}
 */
export async function pool(items, jobs, fn, shouldStop = () => false) {
  /** @type {(R | undefined)[]} */
  const results = new Array(items.length).fill(undefined);
  let next = 0;
  const worker = async () => {
    while (next < items.length && !shouldStop()) {
      const index = next++;
      results[index] = await fn(/** @type {T} */ (items[index]), index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, items.length)) }, worker));
  return results;
}

/**
 * A small seeded generator (mulberry32): the same seed gives the same kill plan on every machine.
 * @param {number} seed
 * @returns {() => number} uniform in [0, 1)
 */
export function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
