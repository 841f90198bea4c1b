import { describe, expect, it } from 'vitest';
import { testDevice } from '../gpu/test-device';
import { renderReference } from '../reference/forward';
import { buildTileLists } from '../reference/rasterize';
import { readF32, readU32 } from '../gpu/readback';
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

      if (process.env.STUDIO_GPU_VERBOSE) {
        console.info(`[forward] ${c.name}: rgb PSNR ${psnr(img.rgb, expected.rgb).toFixed(1)} dB, max |Δ| ${maxAbs(img.rgb, expected.rgb).toExponential(2)}`);
      }
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

  it('the GPU-style (shared, parallel) and CPU-style (direct or rows, serial) kernels give the same images', async () => {
    const device = gpu.device!;
    const ref = randomScene(9, 800, 2, 2);
    const cam = testCamera([0.1, 0.3, -3.5], 64, 1.0);
    const scene = GaussianScene.fromData(device, toData(ref), { shDegree: 2, featureDim: 2 });
    const images = [];
    const variants = [{ rasterMode: 'shared', scanSortMode: 'parallel' }, { rasterMode: 'direct', scanSortMode: 'serial' }, { rasterMode: 'rows', scanSortMode: 'serial' }] as const;
    for (const variant of variants) {
      const renderer = new ForwardRenderer(device, variant);
      images.push(await readForwardImages(device, await renderer.render(scene, cam, { background: [0.1, 0.1, 0.1] })));
      renderer.destroy();
    }
    const [a, ...others] = images;
    for (const b of others) {
      expect(maxAbs(a.rgb, b.rgb)).toBeLessThan(1e-6);
      expect(maxAbs(a.alpha, b.alpha)).toBeLessThan(1e-6);
      expect(maxAbs(a.depth, b.depth)).toBeLessThan(1e-6);
      expect(maxAbs(a.features!, b.features!)).toBeLessThan(1e-6);
      expect([...a.lastContributor]).toEqual([...b.lastContributor]);
      expect([...a.contributors]).toEqual([...b.contributors]);
    }
    const expected = renderReference(ref, cam, { background: [0.1, 0.1, 0.1] });
    expect(psnr(a.rgb, expected.rgb)).toBeGreaterThan(50);
    expect(gpu.engine!.takeErrors()).toEqual([]);
    scene.destroy();
  });

  it('keeps the intermediates the backward pass needs (projection, sorted ids, tile ranges, last contributor)', async () => {
    const device = gpu.device!;
    const ref = randomScene(12, 400, 3);
    const cam = testCamera([0.2, 0.1, -3.8], 80, 0.9);
    const scene = GaussianScene.fromData(device, toData(ref), { shDegree: 3 });
    const renderer = new ForwardRenderer(device);
    const state = await renderer.render(scene, cam);
    const expected = renderReference(ref, cam);
    const N = ref.count;
    const projected = await readF32(device, state.projected, 0, N * 12);
    const tileInfo = await readU32(device, state.tileInfo, 0, N * 4);
    let mismatchedVisibility = 0;
    for (let i = 0; i < N; i++) {
      const e = expected.projected[i];
      const radius = tileInfo[i * 4];
      if ((radius > 0) !== e.visible) {
        mismatchedVisibility++;
        continue;
      }
      if (!e.visible) continue;
      const p = projected.subarray(i * 12, i * 12 + 12);
      const close = (a: number, b: number, tol: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b)));
      close(p[0], e.u, 1e-4);
      close(p[1], e.v, 1e-4);
      close(p[2], e.depth, 1e-5);
      close(p[3], e.opacity, 1e-5);
      for (let k = 0; k < 3; k++) close(p[4 + k], e.conic[k], 1e-3);
      for (let k = 0; k < 3; k++) close(p[8 + k], e.color[k], 1e-4);
      expect(Math.abs(radius - e.radius)).toBeLessThanOrEqual(1);
    }
    expect(mismatchedVisibility).toBeLessThanOrEqual(1);

    // Per-tile sorted Gaussian lists equal the reference's (by depth, ties by id).
    const lists = buildTileLists(expected.projected, cam.width, cam.height);
    const ranges = await readU32(device, state.tileRanges, 0, state.numTiles * 2);
    const m = state.intersections!;
    const ids = await readU32(device, state.isectGaussians, 0, m);
    const tiles = await readU32(device, state.isectTiles, 0, m);
    let sameTiles = 0;
    for (let t = 0; t < state.numTiles; t++) {
      const [start, end] = [ranges[t * 2], ranges[t * 2 + 1]];
      for (let j = start; j < end; j++) expect(tiles[j]).toBe(t);
      if (JSON.stringify([...ids.subarray(start, end)]) === JSON.stringify(lists[t])) sameTiles++;
    }
    expect(sameTiles / state.numTiles).toBeGreaterThan(0.97);
    const depthOrder = await readU32(device, state.depthOrder, 0, N);
    const depthOf = (g: number) => projected[g * 12 + 2];
    for (let i = 1; i < N; i++) {
      const [a, b] = [depthOrder[i - 1], depthOrder[i]];
      if (tileInfo[b * 4] === 0) continue; // culled ones are last
      expect(tileInfo[a * 4]).toBeGreaterThan(0);
      expect(depthOf(a) < depthOf(b) || (depthOf(a) === depthOf(b) && a < b)).toBe(true);
    }

    // Every pixel's contributors lie in [tile start, last contributor), and the count matches.
    const img = await readForwardImages(device, state);
    for (let y = 0; y < cam.height; y++) {
      for (let x = 0; x < cam.width; x++) {
        const p = y * cam.width + x;
        const t = Math.floor(y / 16) * state.tilesX + Math.floor(x / 16);
        expect(img.lastContributor[p]).toBeGreaterThanOrEqual(ranges[t * 2]);
        expect(img.lastContributor[p]).toBeLessThanOrEqual(Math.max(ranges[t * 2], ranges[t * 2 + 1]));
        expect(img.contributors[p]).toBeLessThanOrEqual(img.lastContributor[p] - ranges[t * 2]);
      }
    }
    renderer.destroy();
    scene.destroy();
  });
});
