/**
 * Whether a device runs on a CPU implementation (SwiftShader, llvmpipe, lavapipe, WARP). Kernels with a
 * barrier-free "serial" or "direct" variant pick it there: on CPUs workgroup barriers and workgroup-memory zeroing
 * cost far more than the parallelism they buy.
 */
export function isCpuDevice(device: GPUDevice): boolean {
  const info = (device as { adapterInfo?: GPUAdapterInfo & { isFallbackAdapter?: boolean } }).adapterInfo;
  return info ? isCpuAdapterInfo(info) : false;
}

/** The same test on an adapter's description (as `app.gpu` reports it). */
export function isCpuAdapterInfo(info: { vendor: string; architecture: string; device: string; description: string; isFallbackAdapter?: boolean }): boolean {
  if (info.isFallbackAdapter) return true;
  return /swiftshader|llvmpipe|lavapipe|softpipe|warp|microsoft basic render/i.test(`${info.vendor} ${info.architecture} ${info.device} ${info.description}`);
}

/** 'parallel': workgroup-cooperative kernels (GPUs); 'serial': one invocation per block, no barriers (CPU adapters). */
export type ScanSortMode = 'parallel' | 'serial';

export function defaultScanSortMode(device: GPUDevice): ScanSortMode {
  return isCpuDevice(device) ? 'serial' : 'parallel';
}
