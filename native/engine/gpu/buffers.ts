/**
 * Buffer helpers. Every engine buffer is created here so that test devices can fill new buffers with a sentinel
 * (kernels must never rely on WebGPU's zero-initialisation of storage they are meant to write).
 */

/** Bit pattern written into new buffers on sentinel devices: f32 −12345.0 (0xC640E400), also a huge u32. */
export const SENTINEL_U32 = 0xc640e400;

const sentinelDevices = new WeakSet<GPUDevice>();

/** Test-only: every buffer created through these helpers on `device` starts filled with {@link SENTINEL_U32}. */
export function enableSentinelFill(device: GPUDevice): void {
  sentinelDevices.add(device);
}

export function usesSentinelFill(device: GPUDevice): boolean {
  return sentinelDevices.has(device);
}

/** GPUBufferUsage is a global in browsers and in dawn.node's `globals`; engine code must not assume the global. */
function GPUBufferUsageFlags() {
  return {
    MAP_READ: 0x0001,
    MAP_WRITE: 0x0002,
    COPY_SRC: 0x0004,
    COPY_DST: 0x0008,
    INDEX: 0x0010,
    VERTEX: 0x0020,
    UNIFORM: 0x0040,
    STORAGE: 0x0080,
    INDIRECT: 0x0100,
    QUERY_RESOLVE: 0x0200,
  } as const;
}

export const BufferUsage = GPUBufferUsageFlags();

/** Default usage of engine storage buffers: readable, writable by kernels, copyable both ways. */
export const STORAGE_USAGE = BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST;

/** WebGPU buffer sizes must be multiples of 4 and non-zero for bindings; round up and keep at least 16 bytes. */
export function alignedSize(bytes: number): number {
  return Math.max(16, Math.ceil(bytes / 16) * 16);
}

export function checkBufferSize(device: GPUDevice, bytes: number, label: string): void {
  const max = Math.min(device.limits.maxBufferSize, device.limits.maxStorageBufferBindingSize);
  if (!(bytes <= max)) {
    throw new RangeError(
      `${label}: ${bytes} bytes exceeds this device's limit (maxBufferSize ${device.limits.maxBufferSize}, ` +
        `maxStorageBufferBindingSize ${device.limits.maxStorageBufferBindingSize}); use a smaller image or scene`,
    );
  }
}

/** A storage buffer of at least `bytes` bytes (sentinel-filled on test devices). */
export function createStorageBuffer(
  device: GPUDevice,
  bytes: number,
  label: string,
  usage: number = STORAGE_USAGE,
): GPUBuffer {
  const size = alignedSize(bytes);
  checkBufferSize(device, size, label);
  const buffer = device.createBuffer({ label, size, usage });
  if (sentinelDevices.has(device) && usage & BufferUsage.COPY_DST) fillSentinel(device, buffer);
  return buffer;
}

let sentinelChunk: Uint32Array<ArrayBuffer> | null = null;

// Written through the queue (not mappedAtCreation) so that readback.ts stays the only code that maps buffers.
function fillSentinel(device: GPUDevice, buffer: GPUBuffer): void {
  sentinelChunk ??= new Uint32Array(1 << 20).fill(SENTINEL_U32);
  for (let offset = 0; offset < buffer.size; offset += sentinelChunk.byteLength) {
    const bytes = Math.min(sentinelChunk.byteLength, buffer.size - offset);
    device.queue.writeBuffer(buffer, offset, sentinelChunk, 0, bytes / 4);
  }
}

export function createUniformBuffer(device: GPUDevice, bytes: number, label: string): GPUBuffer {
  return device.createBuffer({ label, size: alignedSize(bytes), usage: BufferUsage.UNIFORM | BufferUsage.COPY_DST });
}

/** Writes a typed array at a byte offset; the data length is padded to 4 bytes as writeBuffer requires. */
export function writeArray(device: GPUDevice, buffer: GPUBuffer, data: ArrayBufferView, byteOffset = 0): void {
  if (data.byteLength === 0) return;
  if (data.byteLength % 4 === 0) {
    device.queue.writeBuffer(buffer, byteOffset, data.buffer, data.byteOffset, data.byteLength);
    return;
  }
  const padded = new Uint8Array(Math.ceil(data.byteLength / 4) * 4);
  padded.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  device.queue.writeBuffer(buffer, byteOffset, padded);
}

/** A storage buffer initialised from data. */
export function createBufferFrom(device: GPUDevice, data: ArrayBufferView, label: string, usage = STORAGE_USAGE): GPUBuffer {
  const buffer = createStorageBuffer(device, data.byteLength, label, usage);
  writeArray(device, buffer, data);
  return buffer;
}
