import * as tf from '@tensorflow/tfjs-core';
import { ATTR_BOOL, ATTR_STRING, type OpAttr } from './graph-def.js';
import { ProtobufWriter } from './protobuf-writer.js';
import type { NativeBinding, NativeKernelBackend } from './native-functions.js';
import { replayDraws, type RandomCall } from './recording-random.js';
import type { FunctionInput, StepGraph } from './step-graph.js';

/** `auto`: TensorFlow's graph optimizer (grappler) on the function; `xla`: compiled by XLA as well. */
export type CompileMode = 'auto' | 'xla';

/**
 * The ConfigProto handed to each call: grappler on, with its arithmetic optimizer off. That optimizer
 * regroups sums (chains of Add into AddN, hoisted factors), and measured here it made repeated runs of
 * one function differ in the last bits of some weights: with it off, a seeded compiled run repeats
 * exactly, as the eager one does. ConfigProto.graph_options (10) → GraphOptions.rewrite_options (10) →
 * RewriterConfig.arithmetic_optimization (7) = OFF (2).
 */
function grapplerConfig(): string {
  const config = new ProtobufWriter();
  config.message(10, (graph) => graph.message(10, (rewrite) => rewrite.int(7, 2)));
  const bytes = config.finish();
  // tfjs-node passes string attributes as UTF-8: only bytes below 0x80 survive unchanged.
  if (bytes.some((b) => b >= 0x80)) throw new Error('the grappler ConfigProto must be plain ASCII bytes');
  return String.fromCharCode(...bytes);
}

const GRAPPLER_CONFIG = grapplerConfig();

function callAttributes(mode: CompileMode): OpAttr[] {
  // A config_proto attribute is what makes TensorFlow run grappler on a function call; without it the
  // function runs as traced. _XlaMustCompile hands the whole function to XLA.
  return mode === 'xla'
    ? [{ name: '_XlaMustCompile', type: ATTR_BOOL, value: true }]
    : [{ name: 'config_proto', type: ATTR_STRING, value: GRAPPLER_CONFIG }];
}

/** One call of a compiled step: its outputs, and the new state, applied only by `commit`. */
export class CompiledRun {
  private pending: Array<{ variable: tf.Variable; value: tf.Tensor }>;

  constructor(
    readonly outputs: tf.Tensor[],
    updates: Array<{ variable: tf.Variable; value: tf.Tensor }>,
  ) {
    this.pending = updates;
  }

  /** The new value of each variable the step assigns, before it is committed. */
  get updates(): ReadonlyArray<{ readonly variable: tf.Variable; readonly value: tf.Tensor }> {
    return this.pending;
  }

  /** Assigns the step's new state to the variables. */
  commit(): void {
    for (const { variable, value } of this.pending) {
      variable.assign(value);
      value.dispose();
    }
    this.pending = [];
  }

  /** Releases the outputs and any state not committed (a non-finite step is dropped this way). */
  dispose(): void {
    tf.dispose(this.outputs);
    tf.dispose(this.pending.map((u) => u.value));
    this.pending = [];
  }
}

/** A training step registered as one TensorFlow function, for one input shape. */
export class CompiledStep {
  private disposed = false;

  constructor(
    private readonly backend: NativeKernelBackend,
    private readonly binding: Required<NativeBinding>,
    readonly functionName: string,
    private readonly graph: StepGraph,
    private readonly calls: readonly RandomCall[],
    private readonly outputCount: number,
    private readonly updated: readonly tf.Variable[],
    readonly mode: CompileMode,
    readonly xShape: readonly number[],
  ) {}

  get opCount(): number {
    return this.graph.opCount;
  }

  get graphDefBytes(): number {
    return this.graph.graphDef.length;
  }

  /**
   * Runs the step on batch x with this step's numbers and noise seed. The noise is the eager step's:
   * the recorded random calls are replayed on a generator with the same seed.
   */
  run(x: tf.Tensor, scalars: Readonly<Record<string, number>>, seed: number): CompiledRun {
    if (this.disposed) throw new Error(`compiled step ${this.functionName} was disposed`);
    if (!tf.util.arraysEqual(x.shape, [...this.xShape])) {
      throw new RangeError(`compiled step ${this.functionName} was traced for a batch of shape [${this.xShape}], got [${x.shape}]`);
    }
    const draws = replayDraws(this.calls, seed);
    const made: tf.Tensor[] = [];
    try {
      const inputs = this.graph.inputs.map((input: FunctionInput): tf.Tensor => {
        switch (input.kind) {
          case 'x':
            return x;
          case 'state':
            return input.variable;
          case 'draw':
            return draws[input.index]!;
          case 'scalar': {
            const value = scalars[input.name];
            if (value === undefined) throw new RangeError(`compiled step needs the per-step number ${input.name}`);
            const tensor = tf.fill([...input.shape], value, input.dtype);
            made.push(tensor);
            return tensor;
          }
        }
      });
      const results = this.backend.executeMultipleOutputs(
        this.functionName,
        callAttributes(this.mode),
        inputs,
        this.outputCount + this.updated.length,
      );
      return new CompiledRun(
        results.slice(0, this.outputCount),
        this.updated.map((variable, i) => ({ variable, value: results[this.outputCount + i]! })),
      );
    } finally {
      tf.dispose(draws);
      tf.dispose(made);
    }
  }

  /** Removes the function from TensorFlow's context. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.binding.hasFunction(this.functionName)) this.binding.removeFunction(this.functionName);
  }
}
