/**
 * A dense visibility map over the UV layout. A Gaussian's bilinear footprint touches only 4 texels, so at map sizes
 * finer than the Gaussians' spacing most texels inside a chart are under no Gaussian: marking those "outside" gives
 * a speckled map the editor cannot show. Here every texel whose centre lies in a UV triangle is inside the layout,
 * and an inside texel under no Gaussian takes the observed/filled state of its neighbours (push-pull of the
 * covered texels' observed indicator, weighted by their coverage).
 */
import type { UvLayout } from '../head-model';
import { pushPull } from './uv-maps';

/** M² bytes: 1 where the texel centre ((i+½)/M, (j+½)/M) lies in (or on the edge of) some UV triangle. */
export function rasterUvLayout(uv: UvLayout, M: number): Uint8Array {
  const inside = new Uint8Array(M * M);
  const T = uv.triangles.length / 3;
  const eps = 1e-9;
  for (let t = 0; t < T; t++) {
    const a = uv.triangles[t * 3]!, b = uv.triangles[t * 3 + 1]!, c = uv.triangles[t * 3 + 2]!;
    // Texel space: x = u·M − ½ is the column whose centre is at u.
    const ax = uv.coords[a * 2]! * M - 0.5, ay = uv.coords[a * 2 + 1]! * M - 0.5;
    const bx = uv.coords[b * 2]! * M - 0.5, by = uv.coords[b * 2 + 1]! * M - 0.5;
    const cx = uv.coords[c * 2]! * M - 0.5, cy = uv.coords[c * 2 + 1]! * M - 0.5;
    const area = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
    if (!(Math.abs(area) > eps)) continue;
    const s = area > 0 ? 1 : -1;
    const x0 = Math.max(0, Math.ceil(Math.min(ax, bx, cx))), x1 = Math.min(M - 1, Math.floor(Math.max(ax, bx, cx)));
    const y0 = Math.max(0, Math.ceil(Math.min(ay, by, cy))), y1 = Math.min(M - 1, Math.floor(Math.max(ay, by, cy)));
    for (let y = y0; y <= y1; y++)
      for (let x = x0; x <= x1; x++) {
        const w0 = s * ((bx - x) * (cy - y) - (by - y) * (cx - x));
        const w1 = s * ((cx - x) * (ay - y) - (cy - y) * (ax - x));
        const w2 = s * ((ax - x) * (by - y) - (ay - y) * (bx - x));
        if (w0 >= -eps && w1 >= -eps && w2 >= -eps) inside[y * M + x] = 1;
      }
  }
  return inside;
}

/**
 * Fills the gaps of a footprint visibility map (0 outside every footprint, 1 filled, 2 observed; `covered` = each
 * texel's total bilinear weight): inside-layout texels with no weight become 2 where the push-pulled observed share
 * of their neighbourhood is ≥ ½, else 1. Covered texels keep their state; texels outside the layout and every
 * footprint stay 0. Returns a new map.
 */
export function denseVisibility(footprint: Uint8Array, covered: Float32Array, inside: Uint8Array, M: number): Uint8Array {
  const n = M * M;
  const sum = new Float32Array(n), weight = new Float32Array(n);
  for (let p = 0; p < n; p++)
    if (covered[p]! > 0) {
      weight[p] = covered[p]!;
      sum[p] = footprint[p] === 2 ? covered[p]! : 0;
    }
  const share = pushPull(sum, weight, M, 1);
  const out = footprint.slice();
  for (let p = 0; p < n; p++) if (out[p] === 0 && inside[p]) out[p] = share[p]! >= 0.5 ? 2 : 1;
  return out;
}
