import { describe, expect, it } from 'vitest';
import { createStorageBuffer, createUniformBuffer } from '../gpu/buffers';
import { createKernel, dispatchGroups } from '../gpu/kernel';
import { readF32 } from '../gpu/readback';
import { testDevice } from '../gpu/test-device';
import { cameraCentre } from './camera';
import { RENDER_PARAMS_WGSL } from './kernels/common';
import { packRenderParams, RENDER_PARAMS_SIZE } from './params';

const gpu = await testDevice();

// Echo test: the GPU reads every RenderParams field by name; a wrong offset in params.ts cannot pass.
const echoWgsl = /* wgsl */ `
${RENDER_PARAMS_WGSL}
@group(0) @binding(0) var<uniform> params: RenderParams;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@compute @workgroup_size(1) fn main() {
  for (var c = 0u; c < 4u; c++) { for (var r = 0u; r < 4u; r++) { out[c * 4u + r] = params.view[c][r]; } }
  out[16] = params.cam_pos.x; out[17] = params.cam_pos.y; out[18] = params.cam_pos.z;
  out[19] = params.background.x; out[20] = params.background.y; out[21] = params.background.z;
  out[22] = params.focal.x; out[23] = params.focal.y;
  out[24] = params.principal.x; out[25] = params.principal.y;
  out[26] = params.tan_lim.x; out[27] = params.tan_lim.y;
  out[28] = params.near;
  out[29] = f32(params.num_gaussians);
  out[30] = f32(params.width); out[31] = f32(params.height);
  out[32] = f32(params.tiles_x); out[33] = f32(params.tiles_y);
  out[34] = f32(params.sh_degree); out[35] = f32(params.sh_coeffs);
  out[36] = f32(params.feature_dim); out[37] = f32(params.bg_image);
  out[38] = f32(params.isect_capacity);
}`;

describe.skipIf(!gpu.device)('RenderParams layout', () => {
  it('the GPU sees every field where params.ts writes it', async () => {
    const device = gpu.device!;
    const view = Float32Array.from({ length: 16 }, (_, i) => (i === 15 ? 1 : (i * 7) % 5 - 2 + i / 10));
    const camera = { width: 100, height: 37, fx: 91, fy: 93, cx: 49.5, cy: 18.25, viewMatrix: view };
    const bytes = packRenderParams({
      camera, near: 0.02, numGaussians: 1234, shDegree: 2, shCoeffs: 16, featureDim: 5,
      background: [0.1, 0.2, 0.3], backgroundImage: true, intersectionCapacity: 4096,
    });
    expect(bytes.byteLength).toBe(RENDER_PARAMS_SIZE);
    const uniform = createUniformBuffer(device, RENDER_PARAMS_SIZE, 'params');
    device.queue.writeBuffer(uniform, 0, bytes);
    const out = createStorageBuffer(device, 39 * 4, 'echo');
    const kernel = createKernel(device, { label: 'params-echo', code: echoWgsl });
    const enc = device.createCommandEncoder();
    const pass = enc.beginComputePass();
    dispatchGroups(pass, kernel, kernel.bind([uniform, out]), 1);
    pass.end();
    device.queue.submit([enc.finish()]);
    const got = await readF32(device, out, 0, 39);
    const f = (x: number) => Math.fround(x);
    const expected = [
      ...view,
      ...cameraCentre(view).map(f),
      f(0.1), f(0.2), f(0.3), 91, 93, 49.5, 18.25,
      f((1.3 * 50) / 91), f((1.3 * 18.5) / 93), f(0.02),
      1234, 100, 37, 7, 3, 2, 16, 5, 1, 4096,
    ];
    expect([...got]).toEqual(expected);
    expect(gpu.engine!.takeErrors()).toEqual([]);
  });
});
