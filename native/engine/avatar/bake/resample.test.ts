/**
 * Re-sampling after a texture edit: untouched Gaussians keep their bits, covered ones take the edited colour, a
 * sticker on a sparse region (few, large Gaussians) gets texel-sized Gaussians on the right triangles and renders
 * closer to the expected image (a dense avatar carrying the same sticker) than colour re-sampling alone.
 */
import { describe, expect, it } from 'vitest';
import { testDevice } from '../../gpu/test-device';
import { lookAt, makeCamera } from '../../reference/camera';
import { SH_C0 } from '../../reference/sh';
import type { BoundGaussianData } from '../binding/bound-gaussians';
import { openHeadWithExpressions, renderFrames, uvAvatar } from '../trainer/test-fixtures';
import type { FrameHeadParams } from '../trainer/frames';
import { ColourResampler, resampleAvatar, type ColourEdit } from './resample';
import { gaussianUvs } from './uv-maps';

const model = openHeadWithExpressions();
const neutral = model.evaluate({});
const mesh = { vertices: neutral, triangles: model.triangles };
const uv = model.uv!;
const M = 64;

/** UV and 3D centroid of the front-facing triangle nearest the subject's right cheek (x < 0, the face looks along +z). */
function cheek(): { uv: [number, number]; point: [number, number, number] } {
  let best = -1, bd = Infinity;
  const centroid = (t: number, src: ArrayLike<number>, stride: number, idx: Uint32Array) => [0, 1, 2].map((d) => (src[idx[t * 3] * stride + d] + src[idx[t * 3 + 1] * stride + d] + src[idx[t * 3 + 2] * stride + d]) / 3);
  for (let t = 0; t < model.triangles.length / 3; t++) {
    const c = centroid(t, neutral, 3, model.triangles);
    const d = Math.hypot(c[0] + 0.045, c[1] + 0.03);
    if (c[2] > 0 && d < bd) (bd = d), (best = t);
  }
  const c = centroid(best, neutral, 3, model.triangles);
  const u = [0, 1].map((d) => (uv.coords[uv.triangles[best * 3] * 2 + d] + uv.coords[uv.triangles[best * 3 + 1] * 2 + d] + uv.coords[uv.triangles[best * 3 + 2] * 2 + d]) / 3);
  return { uv: [u[0], u[1]], point: [c[0], c[1], c[2]] };
}

/** A square sticker of `half` texels around `centre` (UV), opaque `rgb`, over an untouched composite. */
function stickerEdit(centre: [number, number], half: number, rgb: [number, number, number]): ColourEdit & { rgba: Uint8ClampedArray; coverage: Uint8Array } {
  const rgba = new Uint8ClampedArray(M * M * 4).fill(128), coverage = new Uint8Array(M * M);
  const ci = Math.floor(centre[0] * M), cj = Math.floor(centre[1] * M);
  for (let j = cj - half; j < cj + half; j++)
    for (let i = ci - half; i < ci + half; i++) {
      const p = j * M + i;
      rgba.set([...rgb, 255], p * 4);
      coverage[p] = 255;
    }
  return { size: M, rgba, coverage };
}

const noEdit = (): ColourEdit => ({ size: M, rgba: new Uint8ClampedArray(M * M * 4), coverage: new Uint8Array(M * M) });
const sameBits = (a: Float32Array | Uint32Array, b: Float32Array | Uint32Array) => Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;

describe('resample: colour', () => {
  const avatar = uvAvatar(model, 32, { opacity: 0.8 });
  for (let g = 0; g < avatar.count; g++) avatar.sh[g * 3] = 0.1 + 1e-3 * (g % 7); // bits that a round trip through rgb would change

  it('no coverage: every coefficient is bit-identical, nothing added', () => {
    const { avatar: out, report } = resampleAvatar({ avatar, uv, mesh, edit: noEdit() });
    expect(report.touched).toBe(0);
    expect(report.added).toBe(0);
    for (const k of ['triangle', 'barycentric', 'offset', 'rotations', 'logScales', 'opacities', 'sh'] as const) expect(sameBits(out[k], avatar[k])).toBe(true);
  });

  it('a sticker: Gaussians off it keep their bits, Gaussians under it take its colour (bilinear, blended by coverage)', () => {
    const c = cheek();
    const edit = stickerEdit(c.uv, 4, [230, 20, 40]);
    edit.coverage[Math.floor(c.uv[1] * M) * M + Math.floor(c.uv[0] * M)] = 128; // one half-covered texel
    const uvs = gaussianUvs(uv, avatar.triangle, avatar.barycentric, avatar.count);
    const { sh, touched } = new ColourResampler(avatar, uvs, M).resample(edit);
    let off = 0, inside = 0;
    for (let g = 0; g < avatar.count; g++) {
      // The 4 texels of its bilinear footprint (clamped), as an independent evaluation.
      const x = uvs[g * 2] * M - 0.5, y = uvs[g * 2 + 1] * M - 0.5;
      const x0 = Math.floor(x), y0 = Math.floor(y), fx = x - x0, fy = y - y0;
      const cl = (i: number) => Math.min(M - 1, Math.max(0, i));
      const taps = [[x0, y0, (1 - fx) * (1 - fy)], [x0 + 1, y0, fx * (1 - fy)], [x0, y0 + 1, (1 - fx) * fy], [x0 + 1, y0 + 1, fx * fy]].map(([i, j, w]) => ({ p: cl(j) * M + cl(i), w }));
      const a = taps.reduce((s, t) => s + t.w * (edit.coverage[t.p] / 255), 0);
      if (a === 0) {
        off++;
        expect(sameBits(sh.subarray(g * 3, g * 3 + 3), avatar.sh.subarray(g * 3, g * 3 + 3))).toBe(true);
        continue;
      }
      inside++;
      for (let ch = 0; ch < 3; ch++) {
        const base = avatar.sh[g * 3 + ch] * SH_C0 + 0.5;
        const want = base * (1 - a) + taps.reduce((s, t) => s + t.w * (edit.coverage[t.p] / 255) * (edit.rgba[t.p * 4 + ch] / 255), 0);
        expect(sh[g * 3 + ch] * SH_C0 + 0.5).toBeCloseTo(want, 5);
      }
    }
    expect(touched).toBe(inside);
    expect(inside).toBeGreaterThan(10);
    expect(off).toBeGreaterThan(avatar.count * 0.9);
  });

  it('re-sampling only a dirty rectangle gives the full re-sample, bit for bit (paint, then erase)', () => {
    const c = cheek();
    const uvs = gaussianUvs(uv, avatar.triangle, avatar.barycentric, avatar.count);
    const r = new ColourResampler(avatar, uvs, M);
    const edit = noEdit() as ColourEdit & { rgba: Uint8ClampedArray; coverage: Uint8Array };
    const out = r.resample(edit).sh;
    const ci = Math.floor(c.uv[0] * M), cj = Math.floor(c.uv[1] * M);
    const rect = { x: ci - 3, y: cj - 2, w: 5, h: 4 };
    for (let j = rect.y; j < rect.y + rect.h; j++)
      for (let i = rect.x; i < rect.x + rect.w; i++) {
        edit.rgba.set([10 + i, 200, 30 + j, 255], (j * M + i) * 4);
        edit.coverage[j * M + i] = 100 + i;
      }
    const n = r.resampleRegion(edit, rect, out);
    expect(n).toBeGreaterThan(0);
    expect(n).toBeLessThan(avatar.count / 10);
    expect(sameBits(out, r.resample(edit).sh)).toBe(true);
    edit.coverage.fill(0);
    r.resampleRegion(edit, rect, out);
    expect(sameBits(out, avatar.sh)).toBe(true);
  });

  it('refuses an edit of the wrong size with a message', () => {
    const uvs = gaussianUvs(uv, avatar.triangle, avatar.barycentric, avatar.count);
    expect(() => new ColourResampler(avatar, uvs, M).resample({ size: 32, rgba: new Uint8Array(32 * 32 * 4), coverage: new Uint8Array(32 * 32) })).toThrow(/built for 64²/);
    expect(() => resampleAvatar({ avatar, uv, mesh, edit: { size: M, rgba: new Uint8Array(10), coverage: new Uint8Array(M * M) } })).toThrow(/colour image has 10 bytes/);
  });
});

describe('resample: adding Gaussians where an edit is sparse', () => {
  const c = cheek();
  const edit = stickerEdit(c.uv, 3, [230, 20, 40]);

  it('a dense avatar (one Gaussian per texel) gets none; a sparse one gets texel-sized Gaussians at the edited texels', () => {
    const dense = resampleAvatar({ avatar: uvAvatar(model, M, { opacity: 0.8 }), uv, mesh, edit });
    expect(dense.report.added).toBe(0);
    expect(dense.report.densityBefore).toBeGreaterThanOrEqual(0.9);

    const sparse = uvAvatar(model, 16, { opacity: 0.8 });
    const { avatar: out, report } = resampleAvatar({ avatar: sparse, uv, mesh, edit });
    console.info(`[resample] sparse 16² avatar, ${report.editedTexels} edited texels: density ${report.densityBefore.toFixed(3)} → ${report.densityAfter.toFixed(3)} Gaussians/texel, ${report.added} added, ${report.touched} recoloured`);
    expect(report.added).toBeGreaterThan(report.editedTexels * 0.8);
    expect(report.densityAfter).toBeGreaterThanOrEqual(0.9);
    // The originals first, unchanged but for their colour.
    for (const k of ['triangle', 'barycentric', 'offset', 'rotations', 'logScales', 'opacities'] as const) {
      const per = out[k].length / out.count;
      expect(sameBits(out[k].subarray(0, sparse.count * per), sparse[k])).toBe(true);
    }
    // Each added Gaussian sits at its edited texel's centre, on a triangle, with the sticker colour.
    const added = out.count - sparse.count;
    const uvs = gaussianUvs(uv, out.triangle.subarray(sparse.count), out.barycentric.subarray(sparse.count * 2), added);
    for (let a = 0; a < added; a++) {
      const g = sparse.count + a;
      const i = Math.floor(uvs[a * 2] * M), j = Math.floor(uvs[a * 2 + 1] * M);
      expect(uvs[a * 2] * M - i).toBeCloseTo(0.5, 3);
      expect(uvs[a * 2 + 1] * M - j).toBeCloseTo(0.5, 3);
      expect(edit.coverage[j * M + i]).toBe(255);
      const b0 = out.barycentric[g * 2], b1 = out.barycentric[g * 2 + 1];
      expect(Math.min(b0, b1, 1 - b0 - b1)).toBeGreaterThanOrEqual(-1e-6);
      expect(out.sh[g * 3] * SH_C0 + 0.5).toBeCloseTo(230 / 255, 5);
      expect(1 / (1 + Math.exp(-out.opacities[g]))).toBeGreaterThanOrEqual(0.9 - 1e-6);
    }
    // Texel-sized: smaller than the sparse avatar's Gaussians (4× the texel) on average.
    const mean = (d: BoundGaussianData, from: number, to: number) => {
      let s = 0;
      for (let g = from; g < to; g++) s += d.logScales[g * 3];
      return s / (to - from);
    };
    expect(mean(out, sparse.count, out.count)).toBeLessThan(mean(sparse, 0, sparse.count) - 1);
  });
});

const gpu = await testDevice();

describe.skipIf(!gpu.device)('resample: a sticker on a sparse region renders sharper with the added Gaussians', () => {
  it('PSNR of the sticker region vs a dense avatar carrying the same sticker', async () => {
    const device = gpu.device!;
    const c = cheek();
    const edit = stickerEdit(c.uv, 3, [230, 20, 40]);
    const SIZE = 96;
    const eye: [number, number, number] = [c.point[0] - 0.03, c.point[1], c.point[2] + 0.22];
    const cam = makeCamera(SIZE, SIZE, 0.6, lookAt(eye, c.point));
    const camera = { ...cam, viewMatrix: Float32Array.from(cam.viewMatrix) };
    const head: FrameHeadParams = { expression: new Float32Array(model.expressionCount), jointRotations: new Float32Array(15), rotation: [0, 0, 0], translation: [0, 0, 0] };
    const render = async (avatar: BoundGaussianData) => Float32Array.from((await renderFrames(device, model, avatar, [{ head, camera }]))[0].image);

    const dense = uvAvatar(model, M, { opacity: 0.8, scaleFactor: 0.8 });
    const expected = await render(resampleAvatar({ avatar: dense, uv, mesh, edit }).avatar);
    const expectedPlain = await render(dense);
    const sparse = uvAvatar(model, 16, { opacity: 0.8, scaleFactor: 0.8 });
    const colourOnly = resampleAvatar({ avatar: sparse, uv, mesh, edit }, { densify: false });
    const densified = resampleAvatar({ avatar: sparse, uv, mesh, edit });
    const [imgColour, imgDense] = await Promise.all([render(colourOnly.avatar), render(densified.avatar)]);

    // The sticker region: pixels the sticker changes in the expected render.
    const region: number[] = [];
    for (let p = 0; p < SIZE * SIZE; p++) {
      let d = 0;
      for (let ch = 0; ch < 3; ch++) d = Math.max(d, Math.abs(expected[p * 4 + ch] - expectedPlain[p * 4 + ch]));
      if (d > 0.05) region.push(p);
    }
    // …and its surroundings (6 px around it), where a blurred sticker bleeds.
    const inRegion = new Uint8Array(SIZE * SIZE);
    for (const p of region) inRegion[p] = 1;
    const around: number[] = [];
    for (let p = 0; p < SIZE * SIZE; p++) {
      const x = p % SIZE, y = Math.floor(p / SIZE);
      let near = false;
      for (let dy = -6; dy <= 6 && !near; dy++) for (let dx = -6; dx <= 6 && !near; dx++) near = x + dx >= 0 && x + dx < SIZE && y + dy >= 0 && y + dy < SIZE && inRegion[(y + dy) * SIZE + x + dx] === 1;
      if (near) around.push(p);
    }
    const psnr = (img: Float32Array, pixels: number[]) => {
      let se = 0;
      for (const p of pixels) for (let ch = 0; ch < 3; ch++) se += (img[p * 4 + ch] - expected[p * 4 + ch]) ** 2;
      return -10 * Math.log10(se / (pixels.length * 3));
    };
    const a = psnr(imgColour, region), b = psnr(imgDense, region), a6 = psnr(imgColour, around), b6 = psnr(imgDense, around);
    console.info(
      `[resample] sticker region ${region.length} px: PSNR colour-only ${a.toFixed(2)} dB, with ${densified.report.added} added Gaussians ${b.toFixed(2)} dB; ` +
        `with 6 px around it (${around.length} px): ${a6.toFixed(2)} → ${b6.toFixed(2)} dB`,
    );
    expect(region.length).toBeGreaterThan(30);
    expect(b).toBeGreaterThan(a + 1);
    expect(b6).toBeGreaterThan(a6 + 1);
  });
});
