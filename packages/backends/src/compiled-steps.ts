// Whether the native backend can run a whole computation as one TensorFlow function. That needs vaekit's
// patch to tfjs-node's binding (native-patch/ in this package), which `vaekit-native-setup` applies when it
// builds the addon; a tfjs-node built any other way lacks it and runs eagerly, as stock tfjs-node does.

/**
 * The version of vaekit's binding extensions this package works with: what a patched addon reports as
 * `binding.vaekitExtensions` (native-patch/patch.mjs and vaekit_extensions.cc carry the same number).
 */
export const NATIVE_EXTENSIONS_VERSION = 2;

/**
 * What vaekit's patch adds to tfjs-node's binding (`tf.backend().binding` on the native backend). A
 * registered function is called by name through the binding's own, unchanged `executeOp`. The patch also
 * carries TensorFlow's collective ops: `NativeCollectiveOps`.
 */
export interface NativeBindingExtensions {
  /**
   * Imports a serialized GraphDef into a new graph and adds it to the binding's TensorFlow context as the
   * function `name`. Its inputs are output 0 of the named nodes, in order; its outputs are the refs
   * `"node"` (output 0) or `"node:index"`, in order. Throws an Error with TensorFlow's message when the
   * GraphDef does not import, a name does not resolve, or TensorFlow refuses the function; a TypeError for
   * arguments of the wrong kind.
   */
  registerGraphAsFunction(graphDef: Uint8Array, name: string, inputNodeNames: string[], outputRefs: string[]): void;
  /** Whether the context has a function of this name. */
  hasFunction(name: string): boolean;
  /**
   * Removes a function; throws with TensorFlow's message if there is none. TensorFlow counts
   * registrations: a function registered twice (the same definition) needs two removals to be gone.
   */
  removeFunction(name: string): void;
  /** The extensions' version; absent on an addon built without the patch. */
  readonly vaekitExtensions: number;
}

export type CompiledStepsSupport =
  | { available: true; version: number }
  | { available: false; reason: string };

const REBUILD =
  'run `npx vaekit-native-setup` (`node scripts/setup-native.mjs` in the vaekit workspace) to rebuild it with ' +
  'the patch; until then the native backend runs eagerly';

const FUNCTIONS = ['registerGraphAsFunction', 'hasFunction', 'removeFunction'] as const;

/**
 * Whether a tfjs-node binding object carries the extensions this package needs, and if not, why, in one
 * sentence a user can act on.
 */
export function compiledStepsSupport(binding: unknown): CompiledStepsSupport {
  if (typeof binding !== 'object' || binding === null) {
    return { available: false, reason: 'the native backend exposes no tfjs-node binding' };
  }
  const fields = binding as Record<string, unknown>;
  const version = fields['vaekitExtensions'];
  if (typeof version !== 'number') {
    return { available: false, reason: `tfjs-node's addon was built without vaekit's binding patch: ${REBUILD}` };
  }
  if (version !== NATIVE_EXTENSIONS_VERSION) {
    return {
      available: false,
      reason:
        `tfjs-node's addon carries vaekit's binding extensions v${version}, and this @vaekit/backends needs ` +
        `v${NATIVE_EXTENSIONS_VERSION}: ${REBUILD}`,
    };
  }
  const missing = FUNCTIONS.filter((name) => typeof fields[name] !== 'function');
  if (missing.length > 0) {
    return {
      available: false,
      reason: `tfjs-node's addon reports vaekit's binding extensions v${version} but lacks ${missing.join(', ')}: ${REBUILD}`,
    };
  }
  return { available: true, version };
}

/** What the other backends report: compiling steps is a native-only feature. */
export const NOT_NATIVE = {
  compiledSteps: false,
  compiledStepsReason: 'compiled steps run on the native backend only',
} as const;
