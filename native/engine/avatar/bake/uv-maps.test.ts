import { describe, expect, it } from 'vitest';
import { makeRandom } from '../math';
import { createOpenHead } from '../open-head/build';
import { initFromUvLayout } from '../binding/init';
import { attributesFromBound, boundFromAttributes } from './attributes';
import {
  CHANNELS,
  composeMaps,
  createMaps,
  createSampler,
  gaussianUvs,
  levelSize,
  pushPull,
  sampleMaps,
  scatterGradients,
  smoothnessPrior,
  splatAttributes,
  type UvAttributeMaps,
} from './uv-maps';

function randomMaps(size: number, levels: number, seed: number): UvAttributeMaps {
  const r = makeRandom(seed);
  const maps = createMaps(size, levels);
  for (const lv of maps.levels) for (let i = 0; i < lv.length; i++) lv[i] = 2 * r() - 1;
  return maps;
}

/** Independent bilinear sample: texel (x, y) read with clamp-to-edge, weights from the fractional position. */
function bruteSample(maps: UvAttributeMaps, u: number, v: number, c: number): number {
  let total = 0;
  maps.levels.forEach((lv, l) => {
    const S = levelSize(maps, l);
    const at = (i: number, j: number) => lv[(Math.min(S - 1, Math.max(0, j)) * S + Math.min(S - 1, Math.max(0, i))) * CHANNELS + c];
    const x = u * S - 0.5, y = v * S - 0.5, i = Math.floor(x), j = Math.floor(y), fx = x - i, fy = y - j;
    total += (1 - fy) * ((1 - fx) * at(i, j) + fx * at(i + 1, j)) + fy * ((1 - fx) * at(i, j + 1) + fx * at(i + 1, j + 1));
  });
  return total;
}

describe('UV attribute maps', () => {
  it('samples the sum of the bilinear levels (clamp to edge) like a direct evaluation', () => {
    const maps = randomMaps(16, 3, 1);
    const r = makeRandom(2);
    const uvs = Float32Array.from({ length: 400 }, () => r() * 1.04 - 0.02);
    const out = sampleMaps(maps, createSampler(maps, uvs));
    for (let g = 0; g < 200; g++)
      for (let c = 0; c < CHANNELS; c++) expect(out[g * CHANNELS + c]).toBeCloseTo(bruteSample(maps, uvs[g * 2], uvs[g * 2 + 1], c), 5);
  });

  it('scatter is the adjoint of sample (finite differences of a weighted loss)', () => {
    const maps = randomMaps(8, 3, 3);
    const r = makeRandom(4);
    const n = 50;
    const uvs = Float32Array.from({ length: n * 2 }, () => r());
    const s = createSampler(maps, uvs);
    const wts = Float32Array.from({ length: n * CHANNELS }, () => 2 * r() - 1);
    const loss = () => sampleMaps(maps, s).reduce((acc, x, i) => acc + x * wts[i] + 0.5 * x * x, 0);
    const attrs = sampleMaps(maps, s);
    const dAttr = attrs.map((x, i) => wts[i] + x);
    const grads = maps.levels.map((lv) => new Float32Array(lv.length));
    scatterGradients(s, dAttr, grads);
    const h = 1e-2;
    for (let k = 0; k < 60; k++) {
      const l = k % 3, lv = maps.levels[l], i = Math.floor(r() * lv.length);
      const x0 = lv[i];
      lv[i] = x0 + h;
      const lp = loss();
      lv[i] = x0 - h;
      const lm = loss();
      lv[i] = x0;
      expect(grads[l][i]).toBeCloseTo((lp - lm) / (2 * h), 2);
    }
  });

  it('smoothness prior: zero on constant levels, gradient matches finite differences', () => {
    const flat = createMaps(8, 2);
    for (const lv of flat.levels) lv.fill(0.3);
    expect(smoothnessPrior(flat, 1, null)).toBe(0);
    const maps = randomMaps(8, 3, 5);
    const cw = Array.from({ length: CHANNELS }, (_, c) => 1 + c / 4);
    const grads = maps.levels.map((lv) => new Float32Array(lv.length));
    smoothnessPrior(maps, 0.7, grads, cw);
    const r = makeRandom(6), h = 1e-3;
    for (let k = 0; k < 40; k++) {
      const l = k % 3, lv = maps.levels[l], i = Math.floor(r() * lv.length), x0 = lv[i];
      lv[i] = x0 + h;
      const lp = smoothnessPrior(maps, 0.7, null, cw);
      lv[i] = x0 - h;
      const lm = smoothnessPrior(maps, 0.7, null, cw);
      lv[i] = x0;
      expect(grads[l][i]).toBeCloseTo((lp - lm) / (2 * h), 3);
    }
  });

  it('push-pull keeps known texels, fills the rest within their range, reproduces a constant', () => {
    const S = 32, C = 2;
    const r = makeRandom(7);
    const sum = new Float32Array(S * S * C), w = new Float32Array(S * S);
    for (let p = 0; p < S * S; p++) {
      const i = p % S;
      if (i < 10 && r() < 0.7) {
        w[p] = 0.5 + r();
        sum[p * C] = w[p] * 0.25;
        sum[p * C + 1] = w[p] * (0.1 + 0.01 * i);
      }
    }
    const out = pushPull(sum, w, S, C);
    for (let p = 0; p < S * S; p++) {
      expect(out[p * C]).toBeCloseTo(0.25, 5);
      expect(out[p * C + 1]).toBeGreaterThanOrEqual(0.1 - 1e-6);
      expect(out[p * C + 1]).toBeLessThanOrEqual(0.19 + 1e-6);
      if (w[p] > 0) expect(out[p * C + 1]).toBeCloseTo(sum[p * C + 1] / w[p], 6);
    }
  });

  it('Gaussian UVs of a UV-layout init land on their texel centres; splat + compose reproduces their attributes', () => {
    const model = createOpenHead();
    const N = 32;
    const init = initFromUvLayout({ vertices: model.evaluate({}), triangles: model.triangles }, model.uv!, { resolution: N });
    const d = init.data;
    const r = makeRandom(8);
    for (let g = 0; g < d.count; g++) {
      for (let c = 0; c < 3; c++) d.sh[g * 3 + c] = r() - 0.5;
      d.opacities[g] = r();
      d.offset[g] = 1e-3 * r();
      const q = [1 + r(), r() - 0.5, r() - 0.5, r() - 0.5];
      if (g % 2) for (let c = 0; c < 4; c++) q[c] = -q[c]; // sign canonicalised to w ≥ 0
      d.rotations.set(q, g * 4);
    }
    const uvs = gaussianUvs(model.uv!, d.triangle, d.barycentric, d.count);
    for (let g = 0; g < d.count; g++) {
      expect(uvs[g * 2] * N - 0.5).toBeCloseTo(init.texel[g * 2], 3);
      expect(uvs[g * 2 + 1] * N - 0.5).toBeCloseTo(init.texel[g * 2 + 1], 3);
    }
    const attrs = attributesFromBound(d);
    const { sum, weight } = splatAttributes(attrs, uvs, N);
    const maps = createMaps(N, 3);
    maps.levels[0].set(pushPull(sum, weight, N, CHANNELS));
    const composed = composeMaps(maps);
    const back = boundFromAttributes(d, sampleMaps(maps, createSampler(maps, uvs)));
    for (let g = 0; g < d.count; g++) {
      const p = init.texel[g * 2 + 1] * N + init.texel[g * 2];
      for (let c = 0; c < CHANNELS; c++) expect(composed[p * CHANNELS + c]).toBeCloseTo(attrs[g * CHANNELS + c], 3);
      expect(back.opacities[g]).toBeCloseTo(d.opacities[g], 3);
      const s = d.rotations[g * 4] < 0 ? -1 : 1, len = Math.hypot(...d.rotations.subarray(g * 4, g * 4 + 4));
      for (let c = 0; c < 4; c++) expect(back.rotations[g * 4 + c]).toBeCloseTo((s * d.rotations[g * 4 + c]) / len, 3);
    }
  });
});
