import { describe, expect, it } from 'vitest';
import { backwardReference } from './backward';
import { lookAt, makeCamera, worldToCamera } from './camera';
import { renderReference, renderReference64 } from './forward';
import { projectGaussian } from './project';
import { randomScene, rng, smoothScene, testCamera } from './test-scenes';
import { TILE_SIZE, type Camera, type RefScene } from './types';

type Key = 'means' | 'logScales' | 'rotations' | 'opacities' | 'sh' | 'features';

function weights(n: number, seed: number): Float64Array {
  const r = rng(seed);
  return Float64Array.from({ length: n }, () => r() * 2 - 1);
}

function scalarLoss(scene: RefScene, cam: Camera, w: ReturnType<typeof lossWeights>, bg: [number, number, number]): number {
  const out = renderReference64(scene, cam, { background: bg });
  let L = 0;
  for (let i = 0; i < out.rgb.length; i++) L += w.rgb[i] * out.rgb[i];
  for (let i = 0; i < out.alpha.length; i++) L += w.alpha[i] * out.alpha[i] + w.depth[i] * out.depth[i];
  if (out.features) for (let i = 0; i < out.features.length; i++) L += w.features[i] * out.features[i];
  return L;
}

function lossWeights(cam: Camera, F: number) {
  const n = cam.width * cam.height;
  return { rgb: weights(n * 3, 1), alpha: weights(n, 2), depth: weights(n, 3).map((x) => 0.1 * x), features: weights(n * F, 4) };
}

/** Renders in f32 storage: the FD runs need f64 inputs, so scenes use Float64Array. */
function checkGradients(scene: RefScene, cam: Camera) {
  const bg: [number, number, number] = [0.2, 0.3, 0.4];
  const w = lossWeights(cam, scene.featureDim ?? 0);
  const g = backwardReference(scene, cam, w, { background: bg });
  const keys: Key[] = ['means', 'logScales', 'rotations', 'opacities', 'sh', 'features'];
  const h = 1e-6;
  for (const key of keys) {
    const arr = scene[key] as Float64Array;
    const num = new Float64Array(arr.length);
    for (let i = 0; i < arr.length; i++) {
      const x0 = arr[i];
      arr[i] = x0 + h;
      const lp = scalarLoss(scene, cam, w, bg);
      arr[i] = x0 - h;
      const lm = scalarLoss(scene, cam, w, bg);
      arr[i] = x0;
      num[i] = (lp - lm) / (2 * h);
    }
    const ana = g[key];
    const scale = Math.max(...Array.from(num, Math.abs));
    expect(scale, `${key} gradient is non-trivial`).toBeGreaterThan(1e-3);
    for (let i = 0; i < num.length; i++) {
      expect(Number.isFinite(ana[i]), `${key}[${i}] finite`).toBe(true);
      expect(Math.abs(ana[i] - num[i]), `${key}[${i}] ana=${ana[i]} num=${num[i]}`).toBeLessThan(2e-4 * scale + 1e-6);
    }
  }
  return g;
}

describe('reference forward', () => {
  it('renders nothing for a Gaussian behind the camera', () => {
    const scene = smoothScene(1, 1);
    const cam = testCamera([0, 0, -4]);
    (scene.means as Float64Array).set([0, 0, -6]);
    const out = renderReference(scene, cam);
    expect(Math.max(...out.alpha)).toBe(0);
    expect(Math.max(...out.rgb)).toBe(0);
  });

  it('matches the closed form for one isotropic Gaussian at the image centre', () => {
    const scene = smoothScene(2, 1, 0, 0);
    (scene.means as Float64Array).set([0, 0, 0]);
    (scene.logScales as Float64Array).fill(Math.log(0.3));
    (scene.rotations as Float64Array).set([1, 0, 0, 0]);
    (scene.opacities as Float64Array)[0] = 0;
    const cam = testCamera([0, 0, -4]);
    const out = renderReference(scene, cam);
    const sigma2 = (cam.fx * 0.3 / 4) ** 2 + 0.3;
    const y = 10, x = 13;
    const d2 = (x + 0.5 - 16) ** 2 + (y + 0.5 - 16) ** 2;
    expect(out.alpha[y * 32 + x]).toBeCloseTo(0.5 * Math.exp(-0.5 * d2 / sigma2), 6);
    expect(out.depth[y * 32 + x]).toBeCloseTo(4 * out.alpha[y * 32 + x], 5);
  });

  it('lookAt puts the target at the principal point and world up at the top', () => {
    const V = lookAt([1, 2, -5], [0, 0, 0]);
    const c = worldToCamera(V, [0, 0, 0]);
    expect(c[0]).toBeCloseTo(0, 9);
    expect(c[1]).toBeCloseTo(0, 9);
    expect(worldToCamera(V, [0, 1, 0])[1]).toBeLessThan(0);
    const cam = makeCamera(32, 32, 1, V);
    expect(projectGaussian({ ...smoothScene(3, 1, 0, 0), means: [0, 0, 0] }, 0, cam).u).toBeCloseTo(16, 9);
  });

  it('stops before T would drop below 1e-4 and clamps alpha at 0.99', () => {
    const scene = smoothScene(4, 3, 0, 0);
    for (let i = 0; i < 3; i++) {
      (scene.means as Float64Array).set([0, 0, i * 0.1], i * 3);
      (scene.opacities as Float64Array)[i] = 20; // opacity → 1, clamped to 0.99
      (scene.logScales as Float64Array).fill(Math.log(2));
    }
    const out = renderReference(scene, testCamera());
    const centre = 16 * 32 + 16;
    // 1 − 0.99 = 0.01, 0.01² = 1e-4 ≥ 1e-4 keeps two; the third would give 1e-6 → stop.
    expect(out.nContrib[centre]).toBe(2);
    expect(out.alpha[centre]).toBeCloseTo(1 - 1e-4, 6);
  });
  it('assigns a splat every tile holding a pixel it reaches (α ≥ 1/255), and fewer than the 3σ square for thin ones', () => {
    const cam = testCamera([0, 0, -4], 64);
    const scene = randomScene(11, 300, 0);
    for (let i = 0; i < scene.count; i += 3) (scene.logScales as Float32Array)[i * 3] += 1.5; // every third one long
    let narrower = 0;
    for (let i = 0; i < scene.count; i++) {
      const p = projectGaussian(scene, i, cam);
      if (!p.visible) continue;
      const [a, b, c] = p.conic;
      for (let y = 0; y < cam.height; y++) {
        for (let x = 0; x < cam.width; x++) {
          const dx = x + 0.5 - p.u, dy = y + 0.5 - p.v;
          const alpha = Math.min(0.99, p.opacity * Math.exp(-0.5 * (a * dx * dx + c * dy * dy) - b * dx * dy));
          const inSquare = Math.abs(dx) < p.radius + TILE_SIZE && Math.abs(dy) < p.radius + TILE_SIZE;
          if (!(alpha >= 1 / 255) || !inSquare) continue;
          const tx = Math.floor(x / TILE_SIZE), ty = Math.floor(y / TILE_SIZE);
          const squareMin = [Math.floor((p.u - p.radius) / TILE_SIZE), Math.floor((p.v - p.radius) / TILE_SIZE)];
          const squareMax = [Math.ceil((p.u + p.radius) / TILE_SIZE), Math.ceil((p.v + p.radius) / TILE_SIZE)];
          const inOld = tx >= squareMin[0] && tx < squareMax[0] && ty >= squareMin[1] && ty < squareMax[1];
          if (!inOld) continue; // the 3σ square never held it: nothing changes there
          expect(tx >= p.tileMin[0] && tx < p.tileMax[0] && ty >= p.tileMin[1] && ty < p.tileMax[1]).toBe(true);
        }
      }
      const square = (Math.ceil((p.u + p.radius) / TILE_SIZE) - Math.floor((p.u - p.radius) / TILE_SIZE)) *
        (Math.ceil((p.v + p.radius) / TILE_SIZE) - Math.floor((p.v - p.radius) / TILE_SIZE));
      if ((p.tileMax[0] - p.tileMin[0]) * (p.tileMax[1] - p.tileMin[1]) < square) narrower++;
    }
    expect(narrower).toBeGreaterThan(10);
  });
});

describe('reference backward (central finite differences, f64)', () => {
  it('axis-aligned camera, SH degree 3, features, background', () => {
    checkGradients(smoothScene(11), testCamera([0, 0, -4]));
  });
  it('oblique camera, SH degree 1', () => {
    checkGradients(smoothScene(12, 3, 1, 1), testCamera([1.2, -0.8, -3.6]));
  });
  it('screen-space mean gradient is finite and non-zero for visible Gaussians', () => {
    const scene = smoothScene(13, 3, 0, 0);
    const cam = testCamera();
    const g = backwardReference(scene, cam, { rgb: new Float64Array(32 * 32 * 3).fill(1) });
    for (let i = 0; i < 3; i++) expect(Math.hypot(g.means2d[i * 2], g.means2d[i * 2 + 1])).toBeGreaterThan(0);
  });
});
