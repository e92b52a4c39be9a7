// The slice of the WebGPU API this package reads, declared structurally: TypeScript's DOM library has no
// WebGPU types, and depending on a separate types package for five properties would burden every user.

/** The limits that decide whether vaekit's models fit on a WebGPU device, in bytes. */
export interface WebgpuLimits {
  /** Largest storage buffer one shader binding may see: a weight matrix or activation must fit in it. */
  maxStorageBufferBindingSize: number;
  /** Workgroup shared memory, which tfjs's tiled matMul kernels use. */
  maxComputeWorkgroupStorageSize: number;
  /** Largest single buffer the device allocates. */
  maxBufferSize: number;
}

/** What the WebGPU adapter in use says about itself; reported in `BackendInfo.adapter` on webgpu. */
export interface WebgpuAdapterReport {
  /** Adapter vendor, e.g. 'google' for SwiftShader, 'nvidia', 'intel'; '' where the browser withholds it. */
  vendor: string;
  /** Adapter architecture, e.g. 'swiftshader', 'ampere', 'gen-12lp'; '' where withheld. */
  architecture: string;
  /** Device and description strings, often '' (browsers hide them unless asked with a user gesture). */
  device: string;
  description: string;
  /** Whether the adapter is software (SwiftShader or another CPU implementation), as far as the browser says. */
  software: boolean;
  /** Every feature the adapter offers, sorted. */
  features: readonly string[];
  /** Whether the adapter can run half-precision shaders (tfjs 4.22 computes in float32 either way). */
  shaderF16: boolean;
  /** The limits of the device tfjs runs on (tfjs asks for the adapter's own maxima). */
  limits: WebgpuLimits;
  /**
   * Whether dataSync/arraySync of tensors on the GPU return the right values here; where they do not, they
   * throw (see webgpu-sync-read.ts). Known once tfjs runs on the adapter, so absent from the probe's report.
   */
  syncReads?: boolean;
}

export interface GpuAdapterInfoLike {
  readonly vendor?: string;
  readonly architecture?: string;
  readonly device?: string;
  readonly description?: string;
  /** Chromium 138+ says so directly; older browsers leave it undefined. */
  readonly isFallbackAdapter?: boolean;
}

export interface GpuLimitsLike {
  readonly maxStorageBufferBindingSize: number;
  readonly maxComputeWorkgroupStorageSize: number;
  readonly maxBufferSize: number;
}

export interface GpuDeviceLike {
  readonly limits: GpuLimitsLike;
  readonly features: ReadonlySet<string>;
  destroy(): void;
}

export interface GpuAdapterLike {
  readonly info?: GpuAdapterInfoLike;
  readonly limits: GpuLimitsLike;
  readonly features: ReadonlySet<string>;
  requestDevice(descriptor?: object): Promise<GpuDeviceLike>;
}

export interface GpuLike {
  requestAdapter(options?: { powerPreference?: 'low-power' | 'high-performance' }): Promise<GpuAdapterLike | null>;
}

export function limitsOf(limits: GpuLimitsLike): WebgpuLimits {
  return {
    maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
    maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
    maxBufferSize: limits.maxBufferSize,
  };
}

/** A report from the adapter's own description and the limits of the device in use. */
export function reportAdapter(adapter: GpuAdapterLike, deviceLimits: GpuLimitsLike): WebgpuAdapterReport {
  const info = adapter.info ?? {};
  const architecture = info.architecture ?? '';
  const features = [...adapter.features].sort();
  return {
    vendor: info.vendor ?? '',
    architecture,
    device: info.device ?? '',
    description: info.description ?? '',
    software: info.isFallbackAdapter === true || /swiftshader/i.test(`${architecture} ${info.description ?? ''}`),
    features,
    shaderF16: features.includes('shader-f16'),
    limits: limitsOf(deviceLimits),
  };
}

/** One line for people: 'google swiftshader (software), no shader-f16, no synchronous reads'. */
export function describeAdapter(report: WebgpuAdapterReport): string {
  const name = [report.vendor, report.architecture].filter(Boolean).join(' ') || 'an unnamed adapter';
  const syncReads = report.syncReads === false ? ', no synchronous reads' : '';
  return `${name}${report.software ? ' (software)' : ''}, ${report.shaderF16 ? 'shader-f16' : 'no shader-f16'}${syncReads}`;
}
