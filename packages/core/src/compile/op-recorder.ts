import type { ConstTensor, OpAttr } from './graph-def.js';
import type { NativeBinding, NativeKernelBackend, TensorMetadata } from './native-functions.js';

export interface RecordedOp {
  readonly name: string;
  readonly attrs: readonly OpAttr[];
  readonly inputs: readonly number[];
  readonly outputs: readonly TensorMetadata[];
}

export interface RecordedRead {
  readonly id: number;
  /** How many ops had run when the read happened. */
  readonly atOp: number;
  /** tfjs-node's GatherV2 reads its indices for a bounds check TensorFlow repeats in-graph: harmless. */
  boundsCheckOnly: boolean;
}

/** Everything one eager step did at tfjs-node's binding. */
export interface BindingRecord {
  readonly ops: RecordedOp[];
  /** Tensors JavaScript created during the step, by binding id, with a copy of their values. */
  readonly created: Map<number, ConstTensor>;
  readonly reads: RecordedRead[];
}

function copyAttrs(attrs: readonly OpAttr[]): OpAttr[] {
  return attrs.map((a) => ({ name: a.name, type: a.type, value: Array.isArray(a.value) ? [...a.value] : a.value }));
}

/**
 * Runs `body` with the backend's binding swapped for a recording wrapper (the addon's own exports are
 * read-only, so the binding object is wrapped rather than patched), and restores it afterwards.
 */
export function recordBindingCalls<T>(backend: NativeKernelBackend, body: () => T): { result: T; record: BindingRecord } {
  const real = backend.binding;
  const record: BindingRecord = { ops: [], created: new Map(), reads: [] };
  let pendingReads: RecordedRead[] = [];
  // The addon's properties are read-only, and assignment cannot shadow an inherited read-only property:
  // the overrides are defined, not assigned.
  const overrides = {
    executeOp(name: string, attrs: OpAttr[], inputIds: number[], outputs: number): TensorMetadata[] {
      const result = real.executeOp(name, attrs, inputIds, outputs);
      for (const read of pendingReads) {
        if (name === 'GatherV2' && inputIds[1] === read.id) read.boundsCheckOnly = true;
      }
      pendingReads = [];
      record.ops.push({
        name,
        attrs: copyAttrs(attrs),
        inputs: [...inputIds],
        outputs: result.map((m) => ({ id: m.id, shape: [...m.shape], dtype: m.dtype })),
      });
      return result;
    },
    createTensor(shape: number[], dtype: number, values: ConstTensor['values']): number {
      const id = real.createTensor(shape, dtype, values);
      record.created.set(id, { dtype, shape: [...shape], values: values.slice() });
      return id;
    },
    tensorDataSync(id: number) {
      const read: RecordedRead = { id, atOp: record.ops.length, boundsCheckOnly: false };
      record.reads.push(read);
      pendingReads.push(read);
      return real.tensorDataSync(id);
    },
    deleteTensor(id: number): void {
      real.deleteTensor(id);
    },
  };
  const wrapper = Object.create(real) as NativeBinding;
  for (const [key, value] of Object.entries(overrides)) {
    Object.defineProperty(wrapper, key, { value, enumerable: true });
  }
  backend.binding = wrapper;
  try {
    return { result: body(), record };
  } finally {
    backend.binding = real;
  }
}
