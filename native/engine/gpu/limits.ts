/**
 * Device limits the engine's kernels need (256-invocation workgroups, up to 8 storage buffers per kernel, ~14 KB of
 * workgroup memory in the radix scatter). Core WebGPU defaults satisfy them; compatibility-mode defaults (e.g. Dawn's
 * OpenGL ES backend) do not, so request them with `engineDeviceLimits(adapter)`.
 */
export const ENGINE_MIN_LIMITS = {
  maxComputeInvocationsPerWorkgroup: 256,
  maxComputeWorkgroupSizeX: 256,
  maxComputeWorkgroupSizeY: 16,
  maxStorageBuffersPerShaderStage: 8,
  maxComputeWorkgroupStorageSize: 16384,
} as const;

/** Limits raised to the adapter's maximum (costs nothing; other kernels, e.g. backward, may need more bindings). */
const RAISE_TO_MAX = [
  ...(Object.keys(ENGINE_MIN_LIMITS) as Array<keyof typeof ENGINE_MIN_LIMITS>),
  'maxComputeWorkgroupSizeZ',
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupsPerDimension',
] as const;

/** `requiredLimits` for requestDevice(): every limit the engine cares about at the adapter's maximum. */
export function engineDeviceLimits(adapter: GPUAdapter): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of RAISE_TO_MAX) out[name] = adapter.limits[name];
  return out;
}

/** Throws a clear error if `device` cannot run the engine's kernels. */
export function checkEngineLimits(device: GPUDevice): void {
  const low = Object.entries(ENGINE_MIN_LIMITS).filter(([name, min]) => !((device.limits[name as keyof GPUSupportedLimits] as number) >= min));
  if (low.length > 0) {
    throw new Error(
      `GPUDevice limits too low for the engine: ${low.map(([n, min]) => `${n}=${device.limits[n as keyof GPUSupportedLimits]} (need ${min})`).join(', ')}. ` +
        'Create the device with requiredLimits: engineDeviceLimits(adapter).',
    );
  }
}
