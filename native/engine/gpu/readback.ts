import { BufferUsage } from './buffers';
import { raceDeviceLoss, assertDeviceAlive } from './device-loss';

/**
 * The single place in the engine that maps buffers. The mapped range is copied into a fresh ArrayBuffer at once and
 * the staging buffer is unmapped and destroyed: inside Electron, dawn.node's external ArrayBuffers must not escape.
 */
export async function readBufferBytes(
  device: GPUDevice,
  source: GPUBuffer,
  byteOffset = 0,
  byteLength = source.size - byteOffset,
): Promise<ArrayBuffer> {
  assertDeviceAlive(device);
  if (byteOffset % 4 !== 0) throw new RangeError(`readback offset ${byteOffset} is not a multiple of 4`);
  if (byteOffset + byteLength > source.size) {
    throw new RangeError(`readback of ${byteLength} bytes at ${byteOffset} overruns ${source.label} (${source.size} bytes)`);
  }
  if (byteLength === 0) return new ArrayBuffer(0);
  const copySize = Math.ceil(byteLength / 4) * 4;
  const staging = device.createBuffer({
    label: `readback:${source.label}`,
    size: copySize,
    usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST,
  });
  try {
    const encoder = device.createCommandEncoder({ label: 'readback' });
    encoder.copyBufferToBuffer(source, byteOffset, staging, 0, copySize);
    device.queue.submit([encoder.finish()]);
    await raceDeviceLoss(device, staging.mapAsync(0x0001 /* GPUMapMode.READ */));
    const out = new ArrayBuffer(byteLength);
    new Uint8Array(out).set(new Uint8Array(staging.getMappedRange(0, copySize), 0, byteLength));
    staging.unmap();
    return out;
  } finally {
    staging.destroy();
  }
}

export async function readF32(device: GPUDevice, source: GPUBuffer, offsetElems = 0, count?: number): Promise<Float32Array> {
  const n = count ?? source.size / 4 - offsetElems;
  return new Float32Array(await readBufferBytes(device, source, offsetElems * 4, n * 4));
}

export async function readU32(device: GPUDevice, source: GPUBuffer, offsetElems = 0, count?: number): Promise<Uint32Array> {
  const n = count ?? source.size / 4 - offsetElems;
  return new Uint32Array(await readBufferBytes(device, source, offsetElems * 4, n * 4));
}
