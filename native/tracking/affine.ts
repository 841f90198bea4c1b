/**
 * Platform-neutral image helpers for tracking (no Node imports: the web player's tracker uses them too): affine warps of
 * a frame into a model's input tensor (crop, scale, rotate, flip in one bilinear pass) and mean luminance.
 */
import type { RgbImage } from './types';

/**
 * An affine map from output pixel centres to source coordinates: src = [a*u + b*v + c, d*u + e*v + f], where
 * (u, v) are output pixel centres (u + 0.5, v + 0.5).
 */
export type Affine = [number, number, number, number, number, number];

/**
 * The affine that samples a square `size` × `size` crop centred at (cx, cy), `side` source pixels wide, rotated by
 * `theta` (radians; the crop's x axis points along (cos θ, sin θ) in the source), optionally mirrored.
 */
export function cropAffine(cx: number, cy: number, side: number, theta: number, size: number, flip = false): Affine {
  const s = side / size;
  const c = Math.cos(theta) * s;
  const sn = Math.sin(theta) * s;
  const fx = flip ? -1 : 1;
  // local = ((u - size/2) * s * fx, (v - size/2) * s); src = centre + R(θ) local
  const a = c * fx;
  const b = -sn;
  const d = sn * fx;
  const e = c;
  const h = size / 2;
  return [a, b, cx - a * h - b * h, d, e, cy - d * h - e * h];
}

/** Maps a point of the crop's pixel space (not centre-shifted) back to the source. */
export function applyAffine(m: Affine, u: number, v: number): [number, number] {
  return [m[0] * u + m[1] * v + m[2], m[3] * u + m[4] * v + m[5]];
}

/**
 * Samples `img` through `m` into an NHWC float tensor of `width` × `height` × 3, value = pixel * scale + offset;
 * outside the image the pixel is black (0 before scaling).
 */
export function warpToTensor(img: RgbImage, m: Affine, width: number, height: number, scale: number, offset: number, out = new Float32Array(width * height * 3)): Float32Array {
  const { width: W, height: H, data, channels: ch } = img;
  const stride = W * ch;
  let o = 0;
  for (let v = 0; v < height; v++) {
    const vc = v + 0.5;
    let sx = m[0] * 0.5 + m[1] * vc + m[2] - 0.5;
    let sy = m[3] * 0.5 + m[4] * vc + m[5] - 0.5;
    for (let u = 0; u < width; u++, sx += m[0], sy += m[3]) {
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      let r = 0;
      let g = 0;
      let b = 0;
      if (x0 >= 0 && y0 >= 0 && x0 + 1 < W && y0 + 1 < H) {
        const p = y0 * stride + x0 * ch;
        const w00 = (1 - fx) * (1 - fy);
        const w10 = fx * (1 - fy);
        const w01 = (1 - fx) * fy;
        const w11 = fx * fy;
        const q = p + stride;
        r = data[p]! * w00 + data[p + ch]! * w10 + data[q]! * w01 + data[q + ch]! * w11;
        g = data[p + 1]! * w00 + data[p + ch + 1]! * w10 + data[q + 1]! * w01 + data[q + ch + 1]! * w11;
        b = data[p + 2]! * w00 + data[p + ch + 2]! * w10 + data[q + 2]! * w01 + data[q + ch + 2]! * w11;
      } else if (x0 >= -1 && y0 >= -1 && x0 < W && y0 < H) {
        // border: clamp-to-zero sampling of the four taps
        for (let k = 0; k < 4; k++) {
          const xx = x0 + (k & 1);
          const yy = y0 + (k >> 1);
          if (xx < 0 || yy < 0 || xx >= W || yy >= H) continue;
          const w = (k & 1 ? fx : 1 - fx) * (k >> 1 ? fy : 1 - fy);
          const p = yy * stride + xx * ch;
          r += data[p]! * w;
          g += data[p + 1]! * w;
          b += data[p + 2]! * w;
        }
      }
      out[o++] = r * scale + offset;
      out[o++] = g * scale + offset;
      out[o++] = b * scale + offset;
    }
  }
  return out;
}

/** Mean Rec. 601 luma 0..255, on a sparse grid (≈ 16k samples). */
export function meanLuma(img: RgbImage): number {
  const step = Math.max(1, Math.floor(Math.sqrt((img.width * img.height) / 16384)));
  let sum = 0;
  let n = 0;
  for (let y = 0; y < img.height; y += step) {
    for (let x = 0; x < img.width; x += step) {
      const p = (y * img.width + x) * img.channels;
      sum += 0.299 * img.data[p]! + 0.587 * img.data[p + 1]! + 0.114 * img.data[p + 2]!;
      n++;
    }
  }
  return n ? sum / n : 0;
}
