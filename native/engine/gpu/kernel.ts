import { gridFor } from './dispatch';

/**
 * One compute pipeline and how to bind and dispatch it. Bindings are group 0, numbered 0..n-1 in the order given.
 */
export interface Kernel {
  readonly label: string;
  readonly pipeline: GPUComputePipeline;
  bind(buffers: readonly GPUBuffer[]): GPUBindGroup;
}

export interface KernelSpec {
  label: string;
  code: string;
  entryPoint?: string;
  constants?: Record<string, number>;
}

// Pipeline creation compiles the shader (slow on SwiftShader); kernels are cached per device and source.
const kernelCache = new WeakMap<GPUDevice, Map<string, Kernel>>();

export function createKernel(device: GPUDevice, spec: KernelSpec): Kernel {
  let kernels = kernelCache.get(device);
  if (!kernels) kernelCache.set(device, (kernels = new Map()));
  const key = `${spec.entryPoint ?? 'main'}\n${JSON.stringify(spec.constants ?? {})}\n${spec.code}`;
  let kernel = kernels.get(key);
  if (!kernel) {
    kernel = buildKernel(device, spec);
    kernels.set(key, kernel);
  }
  return kernel;
}

function buildKernel(device: GPUDevice, spec: KernelSpec): Kernel {
  const module = device.createShaderModule({ label: spec.label, code: spec.code });
  const pipeline = device.createComputePipeline({
    label: spec.label,
    layout: 'auto',
    compute: { module, entryPoint: spec.entryPoint ?? 'main', ...(spec.constants ? { constants: spec.constants } : {}) },
  });
  const layout = pipeline.getBindGroupLayout(0);
  return {
    label: spec.label,
    pipeline,
    bind: (buffers) =>
      device.createBindGroup({
        label: spec.label,
        layout,
        entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
      }),
  };
}

/** One recorded dispatch, as a profiler sees it (`observeDispatches`). */
export interface DispatchRecord {
  kernel: Kernel;
  bindGroup: GPUBindGroup;
  x: number;
  y: number;
  z: number;
}

let observer: ((d: DispatchRecord) => void) | null = null;

/**
 * Profiling (bench/train-profile): every dispatch recorded while `fn` runs is passed to `onDispatch`, so a profiler
 * can replay each one alone and time it. Not for production paths: one observer at a time, process-wide.
 */
export async function observeDispatches<T>(onDispatch: (d: DispatchRecord) => void, fn: () => Promise<T>): Promise<T> {
  if (observer) throw new Error('observeDispatches: already observing');
  observer = onDispatch;
  try {
    return await fn();
  } finally {
    observer = null;
  }
}

/** Records one dispatch of `kernel` over `items` items (`perWorkgroup` items per workgroup, 2D grid if needed). */
export function dispatchKernel(
  pass: GPUComputePassEncoder,
  kernel: Kernel,
  bindGroup: GPUBindGroup,
  items: number,
  perWorkgroup: number,
): void {
  const [x, y] = gridFor(items, perWorkgroup);
  dispatchGroups(pass, kernel, bindGroup, x, y);
}

/** Records a dispatch of explicit workgroup counts. */
export function dispatchGroups(pass: GPUComputePassEncoder, kernel: Kernel, bindGroup: GPUBindGroup, x: number, y = 1, z = 1): void {
  if (x === 0 || y === 0 || z === 0) return;
  observer?.({ kernel, bindGroup, x, y, z });
  pass.setPipeline(kernel.pipeline);
  pass.setBindGroup(0, bindGroup);
  pass.dispatchWorkgroups(x, y, z);
}
