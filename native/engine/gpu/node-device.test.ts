import { describe, expect, it } from 'vitest';
import { readF32, readU32 } from './readback';
import { createBufferFrom, createStorageBuffer, SENTINEL_U32 } from './buffers';
import { createKernel, dispatchKernel } from './kernel';
import { workgroups2D } from './dispatch';
import { onDeviceLost, raceDeviceLoss } from './device-loss';
import { DeviceLostError, NoAdapterError } from './errors';
import { adapterChoiceReason, createNodeDevice } from './node-device';
import { testDevice } from './test-device';

const gpu = await testDevice();

describe('workgroups2D', () => {
  it('splits counts beyond the per-dimension limit', () => {
    expect(workgroups2D(10)).toEqual([10, 1]);
    expect(workgroups2D(65535)).toEqual([65535, 1]);
    const [x, y] = workgroups2D(200_000);
    expect(x * y).toBeGreaterThanOrEqual(200_000);
    expect(x).toBeLessThanOrEqual(65535);
    expect(() => workgroups2D(65535 * 65535 + 1)).toThrow(RangeError);
  });
});

describe.skipIf(!gpu.device)('node device', () => {
  it('reports the adapter as a plain object', () => {
    const a = gpu.engine!.adapter;
    expect(typeof a.vendor).toBe('string');
    expect(['default', 'swiftshader', 'opengles']).toContain(a.via);
    expect(a.reason.length).toBeGreaterThan(10);
    expect(JSON.parse(JSON.stringify(a))).toEqual(a);
  });

  it('says why the adapter was chosen: a GPU, the faster CPU adapter, or the fallback and what to install', () => {
    expect(adapterChoiceReason('auto', 'default', 'vulkan', [], false)).toBe('The GPU, through vulkan.');
    expect(adapterChoiceReason('auto', 'opengles', 'opengles', ['default (vulkan): no adapter'], false)).toMatch(/llvmpipe \(OpenGL ES\) is the faster CPU adapter: a preview training step takes \d+ ms on llvmpipe against \d+ ms on SwiftShader/);
    expect(adapterChoiceReason('auto', 'swiftshader', 'vulkan', ['opengles (opengles): no adapter'], false)).toMatch(/llvmpipe \(the faster CPU adapter\) could not start \(no adapter\); SwiftShader.*libegl-mesa0/);
    expect(adapterChoiceReason('swiftshader', 'swiftshader', 'vulkan', [], false)).toBe('Chosen by STUDIO_GPU_ADAPTER=swiftshader.');
  });

  it('fills new buffers with the sentinel and reads back ranges', async () => {
    const device = gpu.device!;
    const b = createStorageBuffer(device, 64, 'sentinel');
    expect([...(await readU32(device, b))].every((v) => v === SENTINEL_U32)).toBe(true);
    const c = createBufferFrom(device, new Float32Array([1, 2, 3, 4, 5, 6, 7, 8]), 'data');
    expect([...(await readF32(device, c, 2, 3))]).toEqual([3, 4, 5]);
  });

  it('runs a kernel over a 2D grid of more than 65 535 workgroups', async () => {
    const device = gpu.device!;
    const n = 65536 * 2 + 17; // 64 threads per group → 2049 groups; use 1 thread per group to force 2D
    const code = /* wgsl */ `
      @group(0) @binding(0) var<storage, read_write> out: array<u32>;
      @compute @workgroup_size(1) fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
        let i = wid.x + wid.y * nwg.x;
        if (i < arrayLength(&out)) { out[i] = i * 3u; }
      }`;
    const k = createKernel(device, { label: 'iota3', code });
    const out = createStorageBuffer(device, n * 4, 'out');
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    dispatchKernel(pass, k, k.bind([out]), n, 1);
    pass.end();
    device.queue.submit([enc.finish()]);
    const r = await readU32(device, out, 0, n);
    let bad = 0;
    for (let i = 0; i < n; i++) if (r[i] !== i * 3) bad++;
    expect(bad).toBe(0);
    expect(gpu.engine!.takeErrors()).toEqual([]);
  });

  it('reports device loss and rejects pending work instead of hanging', async () => {
    const own = await createNodeDevice({ label: 'to-lose' });
    const lost = new Promise<DeviceLostError>((resolve) => own.onLost(resolve));
    const never = new Promise<never>(() => undefined);
    const pendingWork = raceDeviceLoss(own.device, never);
    own.destroy();
    const error = await lost;
    expect(error).toBeInstanceOf(DeviceLostError);
    await expect(pendingWork).rejects.toBeInstanceOf(DeviceLostError);
    await expect(readF32(own.device, createStorageBufferSafe(own.device))).rejects.toBeInstanceOf(DeviceLostError);
    // A listener registered after the loss still hears about it.
    await new Promise<void>((resolve) => onDeviceLost(own.device, () => resolve()));
  });

  it('honours an explicit adapter choice and fails with a typed error for a missing ICD', async () => {
    const missing = createNodeDevice({ adapter: 'swiftshader', swiftshaderIcd: '/nonexistent/icd.json' });
    await expect(missing).rejects.toBeInstanceOf(NoAdapterError);
    await expect(missing).rejects.toThrow(/apt-get install chromium/);
    const prev = process.env.STUDIO_GPU_ADAPTER;
    process.env.STUDIO_GPU_ADAPTER = 'bogus';
    await expect(createNodeDevice()).rejects.toThrow(/STUDIO_GPU_ADAPTER=bogus/);
    if (prev === undefined) delete process.env.STUDIO_GPU_ADAPTER;
    else process.env.STUDIO_GPU_ADAPTER = prev;
  });
});

function createStorageBufferSafe(device: GPUDevice): GPUBuffer {
  return device.createBuffer({ size: 16, usage: 0x80 | 0x4 });
}
