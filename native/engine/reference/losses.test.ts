import { describe, expect, it } from 'vitest';
import { adamState, adamStep } from './adam';
import { blurPlane, l1Loss, photometricLoss, ssim } from './losses';
import { rng } from './test-scenes';

const W = 14, H = 12;

function images(seed: number) {
  const r = rng(seed);
  const n = W * H * 3;
  const render = Float64Array.from({ length: n }, () => r());
  const target = Float64Array.from({ length: n }, () => r());
  const mask = Float64Array.from({ length: W * H }, () => (r() < 0.3 ? 0 : r()));
  return { render, target, mask };
}

function fdCheck(f: (x: Float64Array) => number, x: Float64Array, grad: Float64Array, idx: number[]) {
  const h = 1e-6;
  const scale = Math.max(...Array.from(grad, Math.abs));
  for (const i of idx) {
    const x0 = x[i];
    x[i] = x0 + h;
    const a = f(x);
    x[i] = x0 - h;
    const b = f(x);
    x[i] = x0;
    expect(Math.abs((a - b) / (2 * h) - grad[i]), `index ${i}`).toBeLessThan(1e-5 * scale + 1e-9);
  }
}

const sample = Array.from({ length: 60 }, (_, k) => (k * 37) % (W * H * 3));

describe('reference losses', () => {
  it('L1 value and gradient (plain and masked)', () => {
    const { render, target, mask } = images(1);
    for (const m of [null, mask]) {
      const r = l1Loss(render, target, W, H, 3, m);
      fdCheck((x) => l1Loss(x, target, W, H, 3, m).loss, render, r.grad, sample);
    }
    expect(l1Loss(target, target, W, H).loss).toBe(0);
  });

  it('SSIM is 1 for identical images and its gradient matches finite differences', () => {
    const { render, target, mask } = images(2);
    expect(ssim(target, target, W, H).loss).toBeCloseTo(1, 12);
    for (const m of [null, mask]) {
      const r = ssim(render, target, W, H, 3, m);
      expect(r.loss).toBeLessThan(1);
      fdCheck((x) => ssim(x, target, W, H, 3, m).loss, render, r.grad, sample);
    }
  });

  it('photometric loss combines L1 and D-SSIM with λ = 0.2', () => {
    const { render, target } = images(3);
    const p = photometricLoss(render, target, W, H);
    expect(p.loss).toBeCloseTo(0.8 * p.l1 + 0.2 * (1 - p.ssim), 12);
    fdCheck((x) => photometricLoss(x, target, W, H).loss, render, p.grad, sample);
  });

  it('blur keeps a constant interior and sums window weights to 1', () => {
    const ones = new Float64Array(W * H).fill(1);
    const b = blurPlane(ones, W, H);
    expect(b[6 * W + 7]).toBeLessThan(1); // zero padding reaches the centre of a 14×12 image
    const big = new Float64Array(40 * 40).fill(1);
    expect(blurPlane(big, 40, 40)[20 * 40 + 20]).toBeCloseTo(1, 12);
  });
});

describe('reference Adam', () => {
  it('first step moves by lr·sign(g); matches a hand-rolled second step', () => {
    const p = Float64Array.from([1, 2, 3]);
    const s = adamState(3);
    adamStep(p, [0.5, -2, 0], s, 1, 0.1);
    expect(p[0]).toBeCloseTo(0.9, 12);
    expect(p[1]).toBeCloseTo(2.1, 12);
    expect(p[2]).toBe(3);
    adamStep(p, [1, 1, 1], s, 2, 0.1);
    const m = 0.9 * 0.05 + 0.1 * 1, v = 0.999 * 0.00025 + 0.001;
    const expected = 0.9 - (0.1 * (m / (1 - 0.81))) / (Math.sqrt(v / (1 - 0.999 ** 2)) + 1e-15);
    expect(p[0]).toBeCloseTo(expected, 12);
  });
});
