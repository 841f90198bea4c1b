/** CPU parts: frame preparation (RGBA8 / float, masks), rigid posing, target compositing; regulariser twin vs FD. */
import { describe, expect, it } from 'vitest';
import { makeRandom, rodrigues } from '../math';
import { compositeTarget, posedVertices, prepareFrame, type AvatarFrame } from './frames';
import { DEFAULT_REGULARISERS, regulariserReference } from './regularisers';
import { openHeadWithExpressions, randomCamera, randomHeadParams } from './test-fixtures';

describe('avatar frames', () => {
  const model = openHeadWithExpressions();

  it('poses vertices as R · evaluate(head) + t (axis-angle or matrix)', () => {
    const head = randomHeadParams(model, 1);
    const base = model.evaluate(head);
    const aa = head.rotation!;
    const t = head.translation!;
    const a = posedVertices(model, head);
    const b = posedVertices(model, { ...head, rotation: rodrigues(aa[0], aa[1], aa[2]) });
    const R = rodrigues(aa[0], aa[1], aa[2]);
    for (let v = 0; v < model.vertexCount; v += 37) {
      for (let r = 0; r < 3; r++) {
        const want = R[r * 3] * base[v * 3] + R[r * 3 + 1] * base[v * 3 + 1] + R[r * 3 + 2] * base[v * 3 + 2] + t[r];
        expect(a[v * 3 + r]).toBeCloseTo(want, 6);
        expect(b[v * 3 + r]).toBeCloseTo(want, 6);
      }
    }
  });

  it('converts RGBA8 / float images and masks, composites straight and premultiplied targets', () => {
    const camera = randomCamera(1, 4);
    const n = 16;
    const r = makeRandom(3);
    const u8 = Uint8Array.from({ length: n * 4 }, () => Math.floor(r() * 256));
    const f8 = prepareFrame(model, { image: u8, camera, head: {} });
    expect(f8.mask![5]).toBeCloseTo(u8[5 * 4 + 3] / 255, 6);
    expect(f8.rgb[5 * 3 + 1]).toBeCloseTo(u8[5 * 4 + 1] / 255, 6);
    const bg = [0.2, 0.4, 0.9] as const;
    const straight = compositeTarget(f8, bg);
    const m = f8.mask![5];
    expect(straight[5 * 4 + 2]).toBeCloseTo(m * f8.rgb[5 * 3 + 2] + (1 - m) * 0.9, 6);
    const rgb = Float32Array.from({ length: n * 3 }, () => r());
    const mask = Float32Array.from({ length: n }, () => r());
    const frame: AvatarFrame = { image: rgb, channels: 3, mask, premultiplied: true, camera, head: {} };
    const pf = prepareFrame(model, frame);
    const pre = compositeTarget(pf, bg);
    expect(pre[7 * 4]).toBeCloseTo(rgb[7 * 3] + (1 - mask[7]) * 0.2, 6);
    expect(pre[7 * 4 + 3]).toBeCloseTo(mask[7], 6);
    const noMask = compositeTarget(prepareFrame(model, { image: rgb, channels: 3, camera, head: {} }), bg);
    expect(noMask[7 * 4 + 1]).toBeCloseTo(rgb[7 * 3 + 1], 6);
    expect(() => prepareFrame(model, { image: rgb, camera, head: {} })).toThrow(RangeError);
  });

  it('regulariser gradients match finite differences of the regulariser loss', () => {
    const N = 50;
    const r = makeRandom(5);
    const means = Float64Array.from({ length: N * 3 }, (_, i) => (i % 3 === 2 ? (r() - 0.5) * 0.01 : r() * 0.5));
    const logS = Float64Array.from({ length: N * 3 }, () => (r() - 0.5) * 4);
    const o = { ...DEFAULT_REGULARISERS, offsetWeight: 3, offsetFree: 0.001, maxRatio: 3, maxLocalScale: 0.8 };
    const g = regulariserReference(N, means, logS, o);
    expect(g.loss).toBeGreaterThan(0);
    const h = 1e-7;
    let nonzero = 0;
    for (const [arr, grad] of [[means, g.gMeans], [logS, g.gLogScales]] as const) {
      for (let i = 0; i < N * 3; i++) {
        const x = arr[i];
        arr[i] = x + h;
        const lp = regulariserReference(N, means, logS, o).loss;
        arr[i] = x - h;
        const lm = regulariserReference(N, means, logS, o).loss;
        arr[i] = x;
        const fd = (lp - lm) / (2 * h);
        if (grad[i] !== 0) nonzero++;
        expect(Math.abs(fd - grad[i])).toBeLessThan(1e-5 * (1 + Math.abs(grad[i])));
      }
    }
    expect(nonzero).toBeGreaterThan(20);
  });
});
