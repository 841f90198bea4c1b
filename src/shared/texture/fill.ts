import { readRect } from './raster';
import type { RasterPatch } from './brush';
import type { RasterImage, Rgb } from './types';

/**
 * Flood fill: the 4-connected region around (x, y) whose colour in `reference` (the composite, or the layer itself)
 * differs from the seed's by at most `tolerance` (0..255, per channel, RGBA) is painted onto `target` with `colour`
 * at `opacity` (source-over, straight alpha). Returns the patch, or null when nothing changed.
 */
export function floodFill(target: RasterImage, reference: RasterImage, x: number, y: number, colour: Rgb, opacity: number, tolerance: number): RasterPatch | null {
  const W = target.width;
  const H = target.height;
  if (reference.width !== W || reference.height !== H) throw new Error('floodFill: reference and target sizes differ');
  if (x < 0 || y < 0 || x >= W || y >= H || opacity <= 0) return null;
  const ref = reference.data;
  const s = (y * W + x) * 4;
  const seed = [ref[s], ref[s + 1], ref[s + 2], ref[s + 3]];
  const inside = new Uint8Array(W * H);
  const stack = [y * W + x];
  inside[y * W + x] = 1;
  let x0 = x, x1 = x, y0 = y, y1 = y;
  const similar = (t: number) => {
    const o = t * 4;
    return Math.abs(ref[o] - seed[0]) <= tolerance && Math.abs(ref[o + 1] - seed[1]) <= tolerance && Math.abs(ref[o + 2] - seed[2]) <= tolerance && Math.abs(ref[o + 3] - seed[3]) <= tolerance;
  };
  while (stack.length) {
    const t = stack.pop()!;
    const tx = t % W;
    const ty = (t - tx) / W;
    if (tx < x0) x0 = tx;
    if (tx > x1) x1 = tx;
    if (ty < y0) y0 = ty;
    if (ty > y1) y1 = ty;
    const visit = (n: number) => {
      if (!inside[n] && similar(n)) {
        inside[n] = 1;
        stack.push(n);
      }
    };
    if (tx > 0) visit(t - 1);
    if (tx < W - 1) visit(t + 1);
    if (ty > 0) visit(t - W);
    if (ty < H - 1) visit(t + W);
  }
  const rect = { x: x0, y: y0, w: x1 - x0 + 1, h: y1 - y0 + 1 };
  const before = readRect(target, rect);
  const d = target.data;
  const a = Math.min(1, opacity);
  for (let j = y0; j <= y1; j++) {
    for (let i = x0; i <= x1; i++) {
      const t = j * W + i;
      if (!inside[t]) continue;
      const o = t * 4;
      const ao = d[o + 3] / 255;
      const ar = a + ao * (1 - a);
      d[o] = Math.round((colour[0] * a + d[o] * ao * (1 - a)) / ar);
      d[o + 1] = Math.round((colour[1] * a + d[o + 1] * ao * (1 - a)) / ar);
      d[o + 2] = Math.round((colour[2] * a + d[o + 2] * ao * (1 - a)) / ar);
      d[o + 3] = Math.round(ar * 255);
    }
  }
  return { rect, before, after: readRect(target, rect) };
}
