import { describe, expect, it } from 'vitest';
import { createBufferFrom } from '../gpu/buffers';
import { testDevice } from '../gpu/test-device';
import { backwardReference } from '../reference/backward';
import { randomScene, rng, smoothScene, testCamera } from '../reference/test-scenes';
import type { Camera, RefScene } from '../reference/types';
import { backwardInputsFromForward, SplatBackward } from './backward';
import { ForwardRenderer } from './forward';
import { SceneGradients } from './backward-grads';
import type { BackwardRasterMode } from './backward-wgsl';
import { referenceBackwardInputs } from './backward-test-inputs';
import { GaussianScene, type ShDegree } from './scene';

const gpu = await testDevice();

function toGpuScene(device: GPUDevice, s: RefScene): GaussianScene {
  const f = (a: ArrayLike<number>) => Float32Array.from(a);
  return GaussianScene.fromData(
    device,
    { count: s.count, means: f(s.means), logScales: f(s.logScales), rotations: f(s.rotations), opacities: f(s.opacities), sh: f(s.sh), features: s.features ? f(s.features) : undefined },
    { shDegree: s.shDegree as ShDegree, featureDim: s.featureDim ?? 0 },
  );
}

function compare(name: string, got: Float32Array, want: Float64Array, rtol: number, atolFrac: number, maxBad = 0) {
  const scale = Math.max(1e-12, ...Array.from(want, Math.abs));
  let bad = 0;
  let first = '';
  for (let i = 0; i < want.length; i++) {
    expect(Number.isNaN(got[i]), `${name}[${i}] is NaN`).toBe(false);
    if (!(Math.abs(got[i] - want[i]) <= atolFrac * scale + rtol * Math.abs(want[i]))) {
      bad++;
      first ||= `${name}[${i}]: gpu ${got[i]} ref ${want[i]} (scale ${scale})`;
    }
  }
  expect(bad, first).toBeLessThanOrEqual(maxBad);
}

async function runCase(mode: BackwardRasterMode, scene: RefScene, cam: Camera, seed: number, bg: [number, number, number], maxBad = 0, viaForward = false) {
  const device = gpu.device!;
  const n = cam.width * cam.height;
  const F = scene.featureDim ?? 0;
  const r = rng(seed);
  const dRgb = Float32Array.from({ length: n * 3 }, () => r() - 0.5);
  const dAlpha = Float32Array.from({ length: n }, () => r() - 0.5);
  const dDepth = Float32Array.from({ length: n }, () => 0.1 * (r() - 0.5));
  const dFeat = Float32Array.from({ length: n * F }, () => r() - 0.5);
  const ref = backwardReference(scene, cam, { rgb: dRgb, alpha: dAlpha, depth: dDepth, features: F ? dFeat : null }, { background: bg });
  const gs = toGpuScene(device, scene);
  const grads = new SceneGradients(gs);
  const bw = new SplatBackward(gs, { rasterMode: mode });
  let inputs;
  let rgbStride = 3;
  let rgbGrad = dRgb;
  let fwd: ForwardRenderer | null = null;
  if (viaForward) {
    fwd = new ForwardRenderer(device);
    inputs = backwardInputsFromForward(await fwd.render(gs, cam, { background: bg }));
    rgbStride = 4; // the forward's colour image is RGBA
    rgbGrad = new Float32Array(n * 4);
    for (let p = 0; p < n; p++) rgbGrad.set([dRgb[p * 3], dRgb[p * 3 + 1], dRgb[p * 3 + 2], 123], p * 4);
  } else {
    inputs = referenceBackwardInputs(device, scene, cam, { background: bg });
  }
  const pg = {
    rgbStride,
    rgb: createBufferFrom(device, rgbGrad, 'dRgb'),
    alpha: createBufferFrom(device, dAlpha, 'dAlpha'),
    depth: createBufferFrom(device, dDepth, 'dDepth'),
    features: F ? createBufferFrom(device, dFeat, 'dFeat') : null,
  };
  const enc = device.createCommandEncoder();
  bw.encode(enc, cam, inputs, pg, grads, { background: bg });
  device.queue.submit([enc.finish()]);
  const got = await grads.read();
  for (const key of ['means', 'logScales', 'rotations', 'opacities', 'sh', 'features'] as const) {
    compare(key, got[key], ref[key], 2e-3, 2e-4, maxBad);
  }
  const uv = Float32Array.from({ length: scene.count * 2 }, (_, i) => got.stats[Math.floor(i / 2) * 4 + (i % 2)]);
  compare('means2d', uv, ref.means2d, 2e-3, 2e-4, maxBad);
  for (let i = 0; i < scene.count; i++) {
    expect(got.stats[i * 4 + 2]).toBeCloseTo(Math.hypot(uv[i * 2], uv[i * 2 + 1]), 4);
  }
  fwd?.destroy();
  bw.destroy();
  grads.destroy();
  gs.destroy();
}

// Both rasteriser-backward variants: 'shared' (GPU style) and 'rows' (CPU style), the same maths.
describe.skipIf(!gpu.device).each(['shared', 'rows'] as const)('GPU backward (%s) vs CPU reference', (mode) => {
  it('smooth 4-Gaussian scene, SH 3, 2 features, background', async () => {
    await runCase(mode, smoothScene(21), testCamera([0, 0, -4], 32), 1, [0.2, 0.3, 0.4]);
  });
  it('random 300 Gaussians, 64×64, SH 3, 1 feature', async () => {
    // A handful of pixels can sit on the 1/255 cutoff, where f32 and f64 disagree: allow a few outliers.
    await runCase(mode, randomScene(7, 300, 3, 1), testCamera([0.5, -0.3, -4], 64), 2, [0.1, 0.1, 0.1], 3);
  });
  it('random 500 Gaussians, 48×40 (partial tiles), SH 1, no features', async () => {
    const cam = { ...testCamera([-0.4, 0.6, -4.2], 48), height: 40, cy: 20 };
    await runCase(mode, randomScene(8, 500, 1, 0), cam, 3, [0, 0, 0], 3);
  });
  it('opaque layers (pixels saturate long before the end of their tile lists), 400 Gaussians, 32×32, SH 1', async () => {
    const base = randomScene(10, 400, 1, 0);
    // α ≈ 0.99 (capped): three layers take T below 1e-4; larger splats so that many overlap
    const scene = { ...base, opacities: new Float32Array(base.count).fill(6), logScales: Float32Array.from(base.logScales, (v) => v + 0.7) };
    await runCase(mode, scene, testCamera([0.2, -0.1, -4], 32), 5, [0.5, 0.5, 0.5], 3, true);
  });
  it('end to end on the GPU forward (ForwardState), 200 Gaussians, 64×64, SH 2, 2 features', async () => {
    await runCase(mode, randomScene(9, 200, 2, 2), testCamera([0.3, 0.2, -4], 64), 4, [0.3, 0.2, 0.1], 3, true);
  });
});
