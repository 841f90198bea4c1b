/**
 * Photometric losses and their gradients w.r.t. the render (CONVENTIONS.md "Losses").
 * Images are interleaved H·W·C (C = 3 for rgb). An optional per-pixel weight mask (H·W)
 * turns means into mask-weighted means.
 */
import type { Num } from './types';

export const SSIM_WINDOW = 11;
export const SSIM_SIGMA = 1.5;
export const SSIM_C1 = 0.01 ** 2;
export const SSIM_C2 = 0.03 ** 2;
export const DSSIM_LAMBDA = 0.2;

export interface LossResult {
  loss: number;
  /** dL/drender, H·W·C. */
  grad: Float64Array;
}

function maskWeight(mask: Num | null | undefined, nPix: number): number {
  if (!mask) return nPix;
  let s = 0;
  for (let i = 0; i < nPix; i++) s += mask[i];
  return s;
}

/** L1 = Σ m_p |r − t| / (C · Σ m_p). Gradient sign(r − t) (0 where equal). */
export function l1Loss(render: Num, target: Num, width: number, height: number, channels = 3, mask?: Num | null): LossResult {
  const nPix = width * height;
  const denom = channels * maskWeight(mask, nPix);
  const grad = new Float64Array(nPix * channels);
  let loss = 0;
  if (!(denom > 0)) return { loss: 0, grad };
  for (let p = 0; p < nPix; p++) {
    const m = mask ? mask[p] : 1;
    for (let c = 0; c < channels; c++) {
      const i = p * channels + c;
      const d = render[i] - target[i];
      loss += m * Math.abs(d);
      grad[i] = (m * Math.sign(d)) / denom;
    }
  }
  return { loss: loss / denom, grad };
}

/** Normalised 1D Gaussian window (11 taps, σ = 1.5). */
export function gaussianWindow(size = SSIM_WINDOW, sigma = SSIM_SIGMA): number[] {
  const half = (size - 1) / 2;
  const w = Array.from({ length: size }, (_, i) => Math.exp(-((i - half) ** 2) / (2 * sigma * sigma)));
  const s = w.reduce((a, b) => a + b, 0);
  return w.map((x) => x / s);
}

/** Separable "same" Gaussian blur of one channel plane (H·W), zero padding. */
export function blurPlane(src: Float64Array, width: number, height: number, w = gaussianWindow()): Float64Array {
  const half = (w.length - 1) / 2;
  const tmp = new Float64Array(width * height);
  const out = new Float64Array(width * height);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      let s = 0;
      for (let k = 0; k < w.length; k++) {
        const xx = x + k - half;
        if (xx >= 0 && xx < width) s += w[k] * src[y * width + xx];
      }
      tmp[y * width + x] = s;
    }
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      let s = 0;
      for (let k = 0; k < w.length; k++) {
        const yy = y + k - half;
        if (yy >= 0 && yy < height) s += w[k] * tmp[yy * width + x];
      }
      out[y * width + x] = s;
    }
  return out;
}

/**
 * Mean SSIM (mask-weighted mean of the SSIM map over pixels and channels) and its
 * gradient w.r.t. `render`.
 */
export function ssim(render: Num, target: Num, width: number, height: number, channels = 3, mask?: Num | null): LossResult {
  const nPix = width * height;
  const denom = channels * maskWeight(mask, nPix);
  const grad = new Float64Array(nPix * channels);
  let total = 0;
  if (!(denom > 0)) return { loss: 0, grad };
  for (let c = 0; c < channels; c++) {
    const x = new Float64Array(nPix), y = new Float64Array(nPix);
    const xx = new Float64Array(nPix), yy = new Float64Array(nPix), xy = new Float64Array(nPix);
    for (let p = 0; p < nPix; p++) {
      x[p] = render[p * channels + c];
      y[p] = target[p * channels + c];
      xx[p] = x[p] * x[p];
      yy[p] = y[p] * y[p];
      xy[p] = x[p] * y[p];
    }
    const mx = blurPlane(x, width, height), my = blurPlane(y, width, height);
    const exx = blurPlane(xx, width, height), eyy = blurPlane(yy, width, height), exy = blurPlane(xy, width, height);
    const gMu = new Float64Array(nPix), gE2 = new Float64Array(nPix), gE12 = new Float64Array(nPix);
    for (let p = 0; p < nPix; p++) {
      const sxx = exx[p] - mx[p] * mx[p];
      const syy = eyy[p] - my[p] * my[p];
      const sxy = exy[p] - mx[p] * my[p];
      const A = 2 * mx[p] * my[p] + SSIM_C1;
      const B = 2 * sxy + SSIM_C2;
      const Cc = mx[p] * mx[p] + my[p] * my[p] + SSIM_C1;
      const D = sxx + syy + SSIM_C2;
      const s = (A * B) / (Cc * D);
      const wgt = (mask ? mask[p] : 1) / denom;
      total += wgt * s;
      // ∂s/∂(μx, E[x²], E[xy]) with σxx = E[x²] − μx², σxy = E[xy] − μx μy
      const dSdSxx = -s / D;
      const dSdSxy = (2 * A) / (Cc * D);
      const dSdMuDirect = (2 * my[p] * B) / (Cc * D) - (s * 2 * mx[p]) / Cc;
      gMu[p] = wgt * (dSdMuDirect + dSdSxx * -2 * mx[p] + dSdSxy * -my[p]);
      gE2[p] = wgt * dSdSxx;
      gE12[p] = wgt * dSdSxy;
    }
    // Adjoint of a symmetric zero-padded "same" blur is the same blur.
    const bMu = blurPlane(gMu, width, height), bE2 = blurPlane(gE2, width, height), bE12 = blurPlane(gE12, width, height);
    for (let p = 0; p < nPix; p++) grad[p * channels + c] = bMu[p] + 2 * x[p] * bE2[p] + y[p] * bE12[p];
  }
  return { loss: total, grad };
}

/** Photometric loss (1 − λ)·L1 + λ·(1 − SSIM) and its gradient. */
export function photometricLoss(
  render: Num, target: Num, width: number, height: number, lambda = DSSIM_LAMBDA, mask?: Num | null, channels = 3,
): LossResult & { l1: number; ssim: number } {
  const l1 = l1Loss(render, target, width, height, channels, mask);
  const s = ssim(render, target, width, height, channels, mask);
  const grad = new Float64Array(l1.grad.length);
  for (let i = 0; i < grad.length; i++) grad[i] = (1 - lambda) * l1.grad[i] - lambda * s.grad[i];
  return { loss: (1 - lambda) * l1.loss + lambda * (1 - s.loss), grad, l1: l1.loss, ssim: s.loss };
}

export function psnr(render: Num, target: Num): number {
  let se = 0;
  for (let i = 0; i < render.length; i++) se += (render[i] - target[i]) ** 2;
  const mse = se / render.length;
  return -10 * Math.log10(Math.max(mse, 1e-20));
}
