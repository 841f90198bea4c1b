/**
 * CPU image helpers of the photometric refinement: frames reduced to the refinement's resolution (float RGB), the
 * loss mask (the detector's face oval minus the inner lips, as polygons) and a separable Gaussian blur.
 */
import type { PhotoImage } from '../synthetic-render';

/** MediaPipe inner-lip contour (the mouth opening): excluded from the loss, since teeth and tongue are not modelled. */
export const INNER_LIPS = [78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308, 324, 318, 402, 317, 14, 87, 178, 88, 95];

/** Area average of an 8-bit image into `width × height` float RGB (0..1): each source pixel goes to the target pixel holding its centre. */
export function downsampleRgb(img: PhotoImage, width: number, height: number): Float32Array {
  const out = new Float32Array(width * height * 3), count = new Float32Array(width * height);
  const sx = width / img.width, sy = height / img.height, ch = img.channels;
  for (let y = 0; y < img.height; y++) {
    const ty = Math.min(height - 1, Math.floor((y + 0.5) * sy));
    for (let x = 0; x < img.width; x++) {
      const tx = Math.min(width - 1, Math.floor((x + 0.5) * sx));
      const p = ty * width + tx, s = (y * img.width + x) * ch;
      out[p * 3] += img.data[s]!; out[p * 3 + 1] += img.data[s + 1]!; out[p * 3 + 2] += img.data[s + 2]!;
      count[p]++;
    }
  }
  for (let p = 0; p < count.length; p++) {
    const k = count[p]! > 0 ? 1 / (255 * count[p]!) : 0;
    out[p * 3] *= k; out[p * 3 + 1] *= k; out[p * 3 + 2] *= k;
  }
  // target pixels no source centre fell in (upsampling): nearest source pixel
  for (let p = 0; p < count.length; p++) {
    if (count[p]! > 0) continue;
    const x = Math.min(img.width - 1, Math.floor(((p % width) + 0.5) / sx)), y = Math.min(img.height - 1, Math.floor((Math.floor(p / width) + 0.5) / sy));
    for (let c = 0; c < 3; c++) out[p * 3 + c] = img.data[(y * img.width + x) * ch + c]! / 255;
  }
  return out;
}

/** Even-odd fill of a closed polygon (pixel coordinates) at pixel centres: `value` is written where inside. */
export function fillPolygon(mask: Float32Array, width: number, height: number, xs: ArrayLike<number>, ys: ArrayLike<number>, value: number): void {
  const n = xs.length;
  let y0 = Infinity, y1 = -Infinity;
  for (let i = 0; i < n; i++) { y0 = Math.min(y0, ys[i]!); y1 = Math.max(y1, ys[i]!); }
  if (!(y1 > y0)) return;
  const crossings: number[] = [];
  for (let y = Math.max(0, Math.floor(y0)); y <= Math.min(height - 1, Math.ceil(y1)); y++) {
    const cy = y + 0.5;
    crossings.length = 0;
    for (let i = 0, j = n - 1; i < n; j = i++) {
      const yi = ys[i]!, yj = ys[j]!;
      if ((yi > cy) !== (yj > cy)) crossings.push(xs[i]! + ((cy - yi) / (yj - yi)) * (xs[j]! - xs[i]!));
    }
    crossings.sort((a, b) => a - b);
    for (let k = 0; k + 1 < crossings.length; k += 2) {
      const a = Math.max(0, Math.ceil(crossings[k]! - 0.5)), b = Math.min(width - 1, Math.floor(crossings[k + 1]! - 0.5));
      for (let x = a; x <= b; x++) mask[y * width + x] = value;
    }
  }
}

/**
 * The loss mask of a frame at `width × height`: 1 inside the polygon of `oval` landmarks (scaled by `shrink` about
 * their centroid), 0 inside the inner lips and outside. `scale` maps landmark pixels to mask pixels. Returns null when a landmark is missing.
 */
export function faceMask(landmarks: ArrayLike<number>, stride: 2 | 3, oval: readonly number[], scale: number, width: number, height: number, shrink = 1): Float32Array | null {
  const poly = (idx: readonly number[]) => {
    const xs = idx.map((m) => landmarks[m * stride]! * scale), ys = idx.map((m) => landmarks[m * stride + 1]! * scale);
    return xs.every(Number.isFinite) && ys.every(Number.isFinite) ? { xs, ys } : null;
  };
  const face = poly(oval), lips = poly(INNER_LIPS);
  if (!face) return null;
  const mx = face.xs.reduce((a, b) => a + b, 0) / face.xs.length, my = face.ys.reduce((a, b) => a + b, 0) / face.ys.length;
  face.xs = face.xs.map((x) => mx + shrink * (x - mx));
  face.ys = face.ys.map((y) => my + shrink * (y - my));
  const mask = new Float32Array(width * height);
  fillPolygon(mask, width, height, face.xs, face.ys, 1);
  if (lips) fillPolygon(mask, width, height, lips.xs, lips.ys, 0);
  return mask;
}

/** Separable Gaussian blur (σ in pixels, kernel radius ⌈3σ⌉, clamped edges) of an interleaved image with `channels` channels. */
export function blurImage(src: Float32Array, width: number, height: number, channels: number, sigma: number): Float32Array {
  if (!(sigma > 0)) return Float32Array.from(src);
  const r = Math.ceil(3 * sigma);
  const k = new Float32Array(2 * r + 1);
  let s = 0;
  for (let i = -r; i <= r; i++) s += k[i + r] = Math.exp((-0.5 * i * i) / (sigma * sigma));
  for (let i = 0; i < k.length; i++) k[i]! /= s;
  const tmp = new Float32Array(src.length), out = new Float32Array(src.length);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      for (let c = 0; c < channels; c++) {
        let a = 0;
        for (let i = -r; i <= r; i++) a += k[i + r]! * src[(y * width + Math.min(width - 1, Math.max(0, x + i))) * channels + c]!;
        tmp[(y * width + x) * channels + c] = a;
      }
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      for (let c = 0; c < channels; c++) {
        let a = 0;
        for (let i = -r; i <= r; i++) a += k[i + r]! * tmp[(Math.min(height - 1, Math.max(0, y + i)) * width + x) * channels + c]!;
        out[(y * width + x) * channels + c] = a;
      }
  return out;
}
