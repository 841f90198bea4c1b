import { PNG } from 'pngjs';

/** RGB float image (H·W·3, [0, 1]) → RGBA8. */
export function rgbFloatToRgba8(rgb: ArrayLike<number>, w: number, h: number): Uint8Array {
  const out = new Uint8Array(w * h * 4);
  for (let p = 0; p < w * h; p++) {
    for (let c = 0; c < 3; c++) out[p * 4 + c] = Math.round(255 * Math.min(1, Math.max(0, rgb[p * 3 + c]!)));
    out[p * 4 + 3] = 255;
  }
  return out;
}

/** Heat-map colour of t ∈ [0, 1]: black → purple → red → orange → yellow → white (inferno-like, monotone luminance). */
export function heat(t: number): [number, number, number] {
  const stops: [number, number, number, number][] = [
    [0, 0, 0, 4],
    [0.25, 87, 16, 110],
    [0.5, 188, 55, 84],
    [0.75, 249, 142, 9],
    [0.9, 245, 219, 76],
    [1, 252, 255, 164],
  ];
  const x = Math.min(1, Math.max(0, t));
  for (let i = 1; i < stops.length; i++) {
    const [t1, r1, g1, b1] = stops[i]!;
    if (x <= t1) {
      const [t0, r0, g0, b0] = stops[i - 1]!;
      const u = (x - t0) / (t1 - t0);
      return [Math.round(r0 + u * (r1 - r0)), Math.round(g0 + u * (g1 - g0)), Math.round(b0 + u * (b1 - b0))];
    }
  }
  return [252, 255, 164];
}

/**
 * Per pixel mean absolute RGB difference × `gain` as a heat map (RGBA8). With gain 4 an error of 0.25 (a quarter of
 * the range) is already white: the small errors of a good avatar stay visible.
 */
export function errorHeatmap(render: ArrayLike<number>, target: ArrayLike<number>, w: number, h: number, gain = 4): Uint8Array {
  const out = new Uint8Array(w * h * 4);
  for (let p = 0; p < w * h; p++) {
    const e = (Math.abs(render[p * 3]! - target[p * 3]!) + Math.abs(render[p * 3 + 1]! - target[p * 3 + 1]!) + Math.abs(render[p * 3 + 2]! - target[p * 3 + 2]!)) / 3;
    const [r, g, b] = heat(e * gain);
    out.set([r, g, b, 255], p * 4);
  }
  return out;
}

/** Images of one size side by side (RGBA8), `gap` px of dark grey between them. */
export function sideBySide(images: Uint8Array[], w: number, h: number, gap = 2): { data: Uint8Array; width: number; height: number } {
  const width = images.length * w + (images.length - 1) * gap;
  const data = new Uint8Array(width * h * 4);
  for (let p = 0; p < width * h; p++) data.set([32, 32, 36, 255], p * 4);
  images.forEach((img, k) => {
    const x0 = k * (w + gap);
    for (let y = 0; y < h; y++) data.set(img.subarray(y * w * 4, (y + 1) * w * 4), (y * width + x0) * 4);
  });
  return { data, width, height: h };
}

export function encodePng(rgba: Uint8Array, width: number, height: number): Uint8Array {
  const png = new PNG({ width, height });
  png.data = Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength);
  return PNG.sync.write(png);
}
