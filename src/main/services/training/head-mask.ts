import { rodrigues } from '@engine/avatar/math';
import type { HeadModel, HeadParams } from '@engine/avatar/head-model';

export interface MaskCamera {
  width: number;
  height: number;
  fx: number;
  fy: number;
  cx: number;
  cy: number;
}

/**
 * The region a head avatar can explain: the fitted head model, posed and projected into the frame, filled, then grown
 * by `grow` pixels. Training and evaluation multiply the person matte by it, so a second person, long hair or the
 * shoulders in the matte are not counted against the avatar.
 */
export function headMask(model: HeadModel, head: HeadParams & { rotation: ArrayLike<number>; translation: ArrayLike<number> }, cam: MaskCamera, grow = 2): Uint8Array {
  const v = model.evaluate(head);
  const R = rodrigues(head.rotation[0]!, head.rotation[1]!, head.rotation[2]!);
  const t = head.translation;
  const n = model.vertexCount;
  const uv = new Float64Array(n * 2);
  for (let i = 0; i < n; i++) {
    const x = v[i * 3]!, y = v[i * 3 + 1]!, z = v[i * 3 + 2]!;
    const X = R[0]! * x + R[1]! * y + R[2]! * z + t[0]!;
    const Y = R[3]! * x + R[4]! * y + R[5]! * z + t[1]!;
    const Z = R[6]! * x + R[7]! * y + R[8]! * z + t[2]!;
    uv[i * 2] = Z > 1e-6 ? (cam.fx * X) / Z + cam.cx : Number.NaN;
    uv[i * 2 + 1] = Z > 1e-6 ? (cam.fy * Y) / Z + cam.cy : Number.NaN;
  }
  const { width: W, height: H } = cam;
  const filled = new Uint8Array(W * H);
  const tri = model.triangles;
  for (let f = 0; f < tri.length; f += 3) {
    const a = tri[f]! * 2, b = tri[f + 1]! * 2, c = tri[f + 2]! * 2;
    const ax = uv[a]!, ay = uv[a + 1]!, bx = uv[b]!, by = uv[b + 1]!, cx = uv[c]!, cy = uv[c + 1]!;
    const area = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
    if (!Number.isFinite(area) || Math.abs(area) < 1e-12) continue;
    const x0 = Math.max(0, Math.floor(Math.min(ax, bx, cx))), x1 = Math.min(W - 1, Math.ceil(Math.max(ax, bx, cx)));
    const y0 = Math.max(0, Math.floor(Math.min(ay, by, cy))), y1 = Math.min(H - 1, Math.ceil(Math.max(ay, by, cy)));
    for (let y = y0; y <= y1; y++) {
      const py = y + 0.5;
      for (let x = x0; x <= x1; x++) {
        const px = x + 0.5;
        const w0 = ((bx - px) * (cy - py) - (by - py) * (cx - px)) / area;
        const w1 = ((cx - px) * (ay - py) - (cy - py) * (ax - px)) / area;
        if (w0 >= 0 && w1 >= 0 && w0 + w1 <= 1) filled[y * W + x] = 255;
      }
    }
  }
  if (grow <= 0) return filled;
  const out = new Uint8Array(W * H);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      if (!filled[y * W + x]) continue;
      for (let dy = -grow; dy <= grow; dy++)
        for (let dx = -grow; dx <= grow; dx++) {
          const xx = x + dx, yy = y + dy;
          if (xx >= 0 && yy >= 0 && xx < W && yy < H) out[yy * W + xx] = 255;
        }
    }
  return out;
}
