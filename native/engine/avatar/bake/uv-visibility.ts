/**
 * A dense visibility map over the UV layout. A Gaussian's bilinear footprint touches only 4 texels, so at map sizes
 * finer than the Gaussians' spacing most texels inside a chart are under no Gaussian: marking those "outside" gives
 * a speckled map the editor cannot show. Here every texel whose centre lies in a UV triangle is inside the layout,
 * and a texel is observed where the observed Gaussians' share of the bilinear weight is ≥ ½ — its own share where
 * some Gaussian covers it, else its neighbours' (push-pull of the weights).
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
 * Visibility (0 outside, 1 filled, 2 observed) from each texel's bilinear weight of the observed Gaussians and of
 * all Gaussians (`covered`): texels under some Gaussian or inside the layout are 2 where the observed share (their
 * own, else push-pulled from their neighbours) is ≥ `minShare`, else 1; the rest stay 0.
 */
export function denseVisibility(observed: Float32Array, covered: Float32Array, inside: Uint8Array, M: number, minShare = 0.5): Uint8Array {
  const n = M * M;
  const sum = new Float32Array(n);
  for (let p = 0; p < n; p++) if (covered[p]! > 0) sum[p] = Math.min(observed[p]!, covered[p]!);
  const share = pushPull(sum, covered, M, 1);
  const out = new Uint8Array(n);
  for (let p = 0; p < n; p++) if (covered[p]! > 0 || inside[p]) out[p] = share[p]! >= minShare ? 2 : 1;
  return out;
}
