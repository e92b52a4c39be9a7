#!/usr/bin/env node
// `pnpm test:tfjs-specs`: tfjs-core 4.22's own op specs on this workspace's native addon (tfjs-node 4.22
// built from source against TensorFlow 2.21, with vaekit's binding patch), so the patched addon is shown to
// stay a drop-in tfjs-node.
//
// It runs tfjs-node's own spec runner, `dist/run_tests.js` as published, unchanged: the tensorflow test
// environment, tfjs-core's specs (`@tensorflow/tfjs-core/dist/tests`) and tfjs-node's own exclusion list
// (its IGNORE_LIST). Around it this script only
// - lets Node load tfjs-core's spec files, which are ES modules written for bundlers (imports without file
//   extensions): each is compiled to CommonJS with TypeScript's transpiler as it is required;
// - excludes the few specs below that test TensorFlow 2.9 behaviour TensorFlow 2.21 changed, each with the
//   reason (an exclusion that matches no spec fails the run, so the list cannot go stale);
// - gives the runner an empty temporary project folder: it globs `src/**/*_test.ts` there for tfjs-node's own
//   TypeScript specs, which the published package does not ship, so that nothing in the working directory
//   can be picked up instead;
// - prints a summary after Jasmine's own report, and exits 1 on any failure, on an incomplete run, or when it ran
//   suspiciously few specs.
//
// Usage: node scripts/tfjs-core-specs.mjs [--grep REGEXP]   (--grep is tfjs-node's runner's own option)
import fs from 'node:fs';
import { createRequire } from 'node:module';
import Module from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// TensorFlow reads it when the addon loads: set it before anything requires tfjs-node.
process.env['TF_CPP_MIN_LOG_LEVEL'] ??= '2';
// The native backend caps oneDNN at AVX2 (packages/backends/src/native-fixes.ts, capOneDnnIsa: its AVX-512
// kernels get one-channel Conv2DBackpropInput wrong); the specs run the addon as the backend configures it.
process.env['ONEDNN_MAX_CPU_ISA'] ??= 'AVX2';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Specs tfjs-node's list does not exclude that fail on TensorFlow 2.21 because TensorFlow changed, not the
 * addon. Each entry is a substring of the spec's full name, as in tfjs-node's own list.
 * @type {{ spec: string, why: string }[]}
 */
const TF_2_21_DIFFERENCES = [
  {
    spec: 'round test-tensorflow {} int32',
    why:
      "TensorFlow 2.21's Round kernel returns zeros for int32 input (2.9 returned the input). @vaekit/backends " +
      "routes int32 round to Identity (src/native-fixes.ts, tested in test/native.test.ts); tfjs-node's own " +
      'kernel, which this run uses, does not.',
  },
  {
    spec: 'depthwiseConv2d gradients test-tensorflow {} throws error on dilations > 1',
    why:
      'the spec expects the error of tfjs-core\'s depthwiseConv2d gradient ("dilation rates greater than 1 are not ' +
      'yet supported"), reached in 2.9 because its CPU DepthwiseConv2dNative kernel silently ignored dilations ' +
      '(tensorflow/tensorflow#56498). TensorFlow 2.21\'s kernel rejects them in the forward pass ("Current kernel ' +
      'implementation does not support dilations"), so an error is still thrown, with TensorFlow\'s message.',
  },
];

/** Fewer passing specs than this means the runner did not load tfjs-core's specs, whatever it reports. */
const MIN_PASSED = 3000;

const requireFromBackends = createRequire(path.join(repoRoot, 'packages', 'backends', 'package.json'));
const tfjsNodeDir = path.dirname(fs.realpathSync(requireFromBackends.resolve('@tensorflow/tfjs-node/package.json')));
const runnerPath = path.join(tfjsNodeDir, 'dist', 'run_tests.js');
const requireFromRunner = createRequire(runnerPath);
const tfjsCoreDist = path.join(path.dirname(fs.realpathSync(requireFromRunner.resolve('@tensorflow/tfjs-core/package.json'))), 'dist') + path.sep;

function fail(message) {
  console.error(`tfjs-core specs: ${message}`);
  process.exit(1);
}

if (!fs.existsSync(runnerPath)) fail(`tfjs-node has no spec runner at ${runnerPath}`);

// The run is about the patched addon: one without the patch fails here, before any spec.
const tfjsNode = requireFromRunner('./index');
const binding = tfjsNode.backend().binding;
if (typeof binding?.vaekitExtensions !== 'number') {
  fail(
    "the workspace's tfjs-node addon was built without vaekit's binding patch; run `node scripts/setup-native.mjs` " +
      'to rebuild it, then run this again.',
  );
}

// tfjs-core's `dist/*.js` files (not its bundles, which are CommonJS already) are ES modules that import
// './ops' and the like without an extension, which only bundlers resolve; compiled to CommonJS, Node's
// require resolves them. They then make a second copy of tfjs-core's modules beside the bundle tfjs-node
// uses, which is how tfjs-node's runner loads them anyway: tfjs-core keeps its engine and kernel registry
// in globals, so both copies share one engine.
const ts = createRequire(path.join(repoRoot, 'package.json'))('typescript');
const BUNDLE = /[\\/]tf-core[.\w]*\.js$/;
const loadJs = Module._extensions['.js'];
let transpiled = 0;
Module._extensions['.js'] = function loadTfjsCoreModule(module, filename) {
  if (!filename.startsWith(tfjsCoreDist) || BUNDLE.test(filename)) return loadJs(module, filename);
  const source = fs.readFileSync(filename, 'utf8');
  const { outputText } = ts.transpileModule(source, {
    fileName: filename,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020, esModuleInterop: true },
  });
  transpiled++;
  module._compile(outputText, filename);
};

// The runner makes its own Jasmine and filters with its own list; a Jasmine that wraps that filter with ours,
// reports, and leaves the exit to this script is put where the runner's `require('jasmine')` finds it.
const jasminePath = requireFromRunner.resolve('jasmine');
const Jasmine = requireFromRunner('jasmine');
const emptyProject = fs.mkdtempSync(path.join(os.tmpdir(), 'vaekit-tfjs-specs-'));
const grep = process.argv.includes('--grep') || process.argv.some((a) => a.startsWith('--grep='));

const counts = { passed: 0, failed: 0, excluded: 0, pending: 0 };
/** @type {Map<string, number>} */
const ourExclusions = new Map(TF_2_21_DIFFERENCES.map((d) => [d.spec, 0]));
const excludedByUs = new Set();
const started = Date.now();

/** @param {string} name */
function ourExclusion(name) {
  return TF_2_21_DIFFERENCES.find((d) => name.includes(d.spec));
}

// Counts only: tfjs-node's runner keeps Jasmine's own console reporter, which prints each failure.
const reporter = {
  specDone(result) {
    if (result.status === 'passed') counts.passed++;
    else if (result.status === 'failed') counts.failed++;
    else if (result.status === 'excluded') counts.excluded++;
    else counts.pending++;
  },
};

/** Prints the summary once Jasmine has finished, and exits. */
function finish(result) {
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const problems = [];
  if (result.overallStatus === 'incomplete') problems.push(`the run was incomplete (${result.incompleteReason})`);
  if ((result.failedExpectations ?? []).length > 0) problems.push('errors outside any spec (see above)');
  if (!grep) {
    if (counts.passed < MIN_PASSED) problems.push(`only ${counts.passed} specs passed, fewer than the ${MIN_PASSED} expected`);
    for (const [spec, hits] of ourExclusions) {
      if (hits === 0) problems.push(`the exclusion '${spec}' matches no spec: remove it`);
    }
  }
  const byTfjsNode = counts.excluded - excludedByUs.size;
  console.log(
    `\ntfjs-core ${tfjsNode.version['tfjs-core']} specs on the patched tfjs-node addon (TensorFlow ${binding.TF_Version}, ` +
      `vaekit binding extensions v${binding.vaekitExtensions}), ${seconds} s in all (${transpiled} tfjs-core modules compiled):\n` +
      `  ${counts.passed} passed, ${counts.failed} failed, ${counts.pending} pending (disabled upstream); excluded: ` +
      `${byTfjsNode} by ${grep ? '--grep or ' : ''}tfjs-node's list, ${excludedByUs.size} as TensorFlow 2.21 differences:`,
  );
  for (const { spec, why } of TF_2_21_DIFFERENCES) console.log(`  - '${spec}' (${ourExclusions.get(spec)}): ${why}`);
  for (const problem of problems) console.log(`PROBLEM: ${problem}`);
  const ok = counts.failed === 0 && problems.length === 0 && result.overallStatus === 'passed';
  console.log(`tfjs-specs: ${counts.passed} passed, ${counts.failed} failed, ${counts.excluded + counts.pending} skipped`);
  fs.rmSync(emptyProject, { recursive: true, force: true });
  process.exit(ok ? 0 : 1);
}

class VaekitSpecRun extends Jasmine {
  constructor(options = {}) {
    super({ ...options, projectBaseDir: emptyProject });
    // The exit is this script's (finish), after its own checks.
    this.exitOnCompletion = false;
    this.env.addReporter(reporter);
    // Jasmine's console report without its one dot per passing spec (about 4,000 on one line) or colours,
    // which only clutter a CI log; failures, pending specs and the totals stay.
    this.configureDefaultReporter({
      showColors: false,
      print: (...parts) => {
        const text = parts.join('');
        if (text !== '.') process.stdout.write(text);
      },
    });
    const env = this.env;
    const configure = env.configure.bind(env);
    env.configure = (config) => {
      const upstream = config.specFilter;
      if (typeof upstream !== 'function') return configure(config);
      return configure({
        ...config,
        specFilter(spec) {
          if (!upstream(spec)) return false;
          const ours = ourExclusion(spec.getFullName());
          if (!ours) return true;
          if (!excludedByUs.has(spec.id)) {
            excludedByUs.add(spec.id);
            ourExclusions.set(ours.spec, (ourExclusions.get(ours.spec) ?? 0) + 1);
          }
          return false;
        },
      });
    };
  }

  async execute(...args) {
    finish(await super.execute(...args));
  }
}

const cached = Module._cache[jasminePath];
if (!cached) fail(`could not load jasmine from ${jasminePath}`);
cached.exports = VaekitSpecRun;

console.log(`running tfjs-core's specs with tfjs-node's runner (${path.relative(repoRoot, runnerPath)})`);
requireFromRunner(runnerPath);
