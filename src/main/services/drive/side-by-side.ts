/** Side-by-side frames: the driver's image fitted (letterboxed, bilinear) into a square beside the avatar's. */
import type { RgbImage } from '@tracking/types';

/** The driver image scaled to fit `size`² (aspect kept, centred on `background`), RGBA8. */
export function fitDriver(img: RgbImage, size: number, background: readonly [number, number, number]): Uint8Array {
  const out = new Uint8Array(size * size * 4);
  const bg = background.map((c) => Math.round(c * 255));
  for (let i = 0; i < size * size; i++) { out[i * 4] = bg[0]!; out[i * 4 + 1] = bg[1]!; out[i * 4 + 2] = bg[2]!; out[i * 4 + 3] = 255; }
  const scale = Math.min(size / img.width, size / img.height);
  const w = Math.max(1, Math.round(img.width * scale)), h = Math.max(1, Math.round(img.height * scale));
  const x0 = Math.floor((size - w) / 2), y0 = Math.floor((size - h) / 2);
  const ch = img.channels;
  for (let y = 0; y < h; y++) {
    const sy = Math.min(img.height - 1, Math.max(0, (y + 0.5) / scale - 0.5));
    const y1 = Math.floor(sy), y2 = Math.min(img.height - 1, y1 + 1), fy = sy - y1;
    for (let x = 0; x < w; x++) {
      const sx = Math.min(img.width - 1, Math.max(0, (x + 0.5) / scale - 0.5));
      const x1 = Math.floor(sx), x2 = Math.min(img.width - 1, x1 + 1), fx = sx - x1;
      const o = ((y0 + y) * size + x0 + x) * 4;
      for (let c = 0; c < 3; c++) {
        const a = img.data[(y1 * img.width + x1) * ch + c]!, b = img.data[(y1 * img.width + x2) * ch + c]!;
        const d = img.data[(y2 * img.width + x1) * ch + c]!, e = img.data[(y2 * img.width + x2) * ch + c]!;
        out[o + c] = Math.round((a * (1 - fx) + b * fx) * (1 - fy) + (d * (1 - fx) + e * fx) * fy);
      }
    }
  }
  return out;
}

/** Two `size`² RGBA frames side by side (left, right) → 2·size × size RGBA. */
export function sideBySide(left: Uint8Array, right: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(size * size * 8);
  for (let y = 0; y < size; y++) {
    out.set(left.subarray(y * size * 4, (y + 1) * size * 4), y * size * 8);
    out.set(right.subarray(y * size * 4, (y + 1) * size * 4), y * size * 8 + size * 4);
  }
  return out;
}
