import { describe, expect, it } from 'vitest';
import { testDevice } from '../gpu/test-device';
import { renderReference } from '../reference/forward';
import { randomScene, testCamera } from '../reference/test-scenes';
import { makeCamera } from '../reference/camera';
import type { RefScene } from '../reference/types';
import { ForwardRenderer, readCounters } from './forward';
import { readForwardImages } from './images';
import { GaussianScene, type GaussianData, type ShDegree } from './scene';

const gpu = await testDevice();

function toData(s: RefScene): GaussianData {
  return {
    count: s.count,
    means: Float32Array.from(s.means),
    logScales: Float32Array.from(s.logScales),
    rotations: Float32Array.from(s.rotations),
    opacities: Float32Array.from(s.opacities),
    sh: Float32Array.from(s.sh),
    ...(s.features ? { features: Float32Array.from(s.features) } : {}),
  };
}

function psnr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let se = 0;
  for (let i = 0; i < a.length; i++) se += (a[i] - b[i]) ** 2;
  const mse = se / a.length;
  return mse === 0 ? Infinity : 10 * Math.log10(1 / mse);
}

function maxAbs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Fraction of entries differing by more than tol (boundary effects: f32 vs f64 at radius/early-stop edges). */
function badFraction(a: ArrayLike<number>, b: ArrayLike<number>, tol: number): number {
  let bad = 0;
  for (let i = 0; i < a.length; i++) if (!(Math.abs(a[i] - b[i]) <= tol)) bad++;
  return bad / a.length;
}

describe.skipIf(!gpu.device)('forward renderer vs CPU reference', () => {
  const cases: Array<{ name: string; seed: number; count: number; deg: ShDegree; F: number; size: [number, number]; bg?: [number, number, number] }> = [
    { name: '300 Gaussians, SH3, 64×64', seed: 1, count: 300, deg: 3, F: 0, size: [64, 64] },
    { name: '2000 Gaussians, SH3, 128×96, grey background', seed: 2, count: 2000, deg: 3, F: 0, size: [128, 96], bg: [0.2, 0.3, 0.4] },
    { name: '500 Gaussians, SH1, 3 features, 50×37 (partial tiles)', seed: 3, count: 500, deg: 1, F: 3, size: [50, 37] },
    { name: '200 Gaussians, SH0, 2 features, 17×128', seed: 4, count: 200, deg: 0, F: 2, size: [17, 128] },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const device = gpu.device!;
      const ref = randomScene(c.seed, c.count, c.deg, c.F);
      const [w, h] = c.size;
      const base = testCamera([0.3, -0.2, -4], 32, 0.9);
      const cam = makeCamera(w, h, 0.9, base.viewMatrix);
      cam.fy = cam.fx * 1.1; // anisotropic focal, off-centre principal point
      cam.cx = w * 0.45;
      cam.cy = h * 0.55;
      const scene = GaussianScene.fromData(device, toData(ref), { shDegree: c.deg, featureDim: c.F });
      const renderer = new ForwardRenderer(device);
      const state = await renderer.render(scene, cam, c.bg ? { background: c.bg } : {});
      const img = await readForwardImages(device, state);
      const expected = renderReference(ref, cam, c.bg ? { background: c.bg } : {});
      expect(gpu.engine!.takeErrors()).toEqual([]);

      expect(psnr(img.rgb, expected.rgb)).toBeGreaterThan(50);
      expect(badFraction(img.rgb, expected.rgb, 1e-3)).toBeLessThan(0.002);
      expect(badFraction(img.alpha, expected.alpha, 1e-3)).toBeLessThan(0.002);
      expect(badFraction(img.depth, expected.depth, 1e-2)).toBeLessThan(0.002);
      if (c.F > 0) expect(badFraction(img.features!, expected.features!, 1e-3)).toBeLessThan(0.002);
      for (let p = 0; p < w * h; p++) expect(img.finalT[p]).toBeCloseTo(1 - expected.alpha[p], 3);
      const sameCount = img.contributors.filter((v, i) => v === expected.nContrib[i]).length;
      expect(sameCount / (w * h)).toBeGreaterThan(0.99);
      const counters = await readCounters(device, state);
      const visible = expected.projected.filter((p) => p.visible).length;
      const expectedIsects = expected.projected.reduce((s, p) => s + (p.visible ? (p.tileMax[0] - p.tileMin[0]) * (p.tileMax[1] - p.tileMin[1]) : 0), 0);
      expect(Math.abs(counters.intersections - expectedIsects)).toBeLessThanOrEqual(Math.max(2, expectedIsects * 0.002));
      expect(visible).toBeGreaterThan(0);
      expect(counters.overflow).toBe(false);
      renderer.destroy();
      scene.destroy();
    });
  }

  it('the shared-memory and direct rasterisers give the same images', async () => {
    const device = gpu.device!;
    const ref = randomScene(9, 800, 2, 2);
    const cam = testCamera([0.1, 0.3, -3.5], 64, 1.0);
    const scene = GaussianScene.fromData(device, toData(ref), { shDegree: 2, featureDim: 2 });
    const images = [];
    for (const rasterMode of ['shared', 'direct'] as const) {
      const renderer = new ForwardRenderer(device, { rasterMode });
      images.push(await readForwardImages(device, await renderer.render(scene, cam, { background: [0.1, 0.1, 0.1] })));
      renderer.destroy();
    }
    const [a, b] = images;
    expect(maxAbs(a.rgb, b.rgb)).toBeLessThan(1e-6);
    expect(maxAbs(a.features!, b.features!)).toBeLessThan(1e-6);
    expect([...a.lastContributor]).toEqual([...b.lastContributor]);
    const expected = renderReference(ref, cam, { background: [0.1, 0.1, 0.1] });
    expect(psnr(a.rgb, expected.rgb)).toBeGreaterThan(50);
    expect(gpu.engine!.takeErrors()).toEqual([]);
    scene.destroy();
  });
});
