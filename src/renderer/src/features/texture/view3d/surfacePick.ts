/**
 * Painting on the 3D view: a pixel of the engine's image → a ray from the camera → the first hit on the posed head
 * mesh → triangle + barycentrics → UV, and back (UV → surface point → pixel) for the tests and the brush cursor.
 * Pure maths, no DOM. The engine camera is OpenCV-style (native/engine/CONVENTIONS.md, `native/engine/view/camera-math.ts`): x_cam =
 * V·x_world, pixel = (fx·x/z + cx, fy·y/z + cy), pixel i covering [i, i+1).
 *
 * Barycentrics follow the bound Gaussians (binding/README.md): (b0, b1) weigh the triangle's corners 0 and 1,
 * b2 = 1 − b0 − b1 corner 2. The ray test is brute force over all triangles with per-triangle data precomputed on
 * `setVertices`: the open head has 2 668 triangles (≈ 0.1 ms a cast), so no BVH or grid is needed.
 */
import type { UvLayout } from '@engine/avatar/head-model';
import type { Camera } from '@engine/splat/camera';

export type Vec3 = [number, number, number];

export interface Ray {
  origin: Vec3;
  /** Unit direction. */
  dir: Vec3;
}

export interface SurfaceHit {
  triangle: number;
  /** (b0, b1); b2 = 1 − b0 − b1. */
  barycentric: [number, number];
  /** Distance along the ray. */
  t: number;
  point: Vec3;
  uv: [number, number];
}

/** The ray from the camera centre through the continuous pixel position (x, y) (pixel centres at i + 0.5). */
export function rayThroughPixel(cam: Camera, x: number, y: number): Ray {
  const V = cam.viewMatrix; // column-major: R = V[c*4 + r] for r, c < 3, t = V[12..14]
  const dc = [(x - cam.cx) / cam.fx, (y - cam.cy) / cam.fy, 1];
  const d: Vec3 = [0, 0, 0], o: Vec3 = [0, 0, 0];
  for (let c = 0; c < 3; c++) {
    // Rᵀ·dc and −Rᵀ·t: column c of R dotted with the vectors.
    d[c] = V[c * 4] * dc[0] + V[c * 4 + 1] * dc[1] + V[c * 4 + 2] * dc[2];
    o[c] = -(V[c * 4] * V[12] + V[c * 4 + 1] * V[13] + V[c * 4 + 2] * V[14]);
  }
  const n = Math.hypot(d[0], d[1], d[2]);
  return { origin: o, dir: [d[0] / n, d[1] / n, d[2] / n] };
}

/** UV of the point (b0, b1) of triangle `t`. */
export function uvAt(uv: UvLayout, t: number, b0: number, b1: number): [number, number] {
  const b2 = 1 - b0 - b1;
  const i0 = uv.triangles[t * 3], i1 = uv.triangles[t * 3 + 1], i2 = uv.triangles[t * 3 + 2];
  return [b0 * uv.coords[i0 * 2] + b1 * uv.coords[i1 * 2] + b2 * uv.coords[i2 * 2], b0 * uv.coords[i0 * 2 + 1] + b1 * uv.coords[i1 * 2 + 1] + b2 * uv.coords[i2 * 2 + 1]];
}

export class SurfacePicker {
  private readonly T: number;
  /** Per triangle: v0 (3), e1 = v1 − v0 (3), e2 = v2 − v0 (3). */
  private tri: Float64Array;
  private vertices: Float32Array;

  constructor(
    readonly triangles: Uint32Array,
    readonly uv: UvLayout,
    vertices: Float32Array,
  ) {
    if (uv.triangles.length !== triangles.length) throw new RangeError(`the UV layout has ${uv.triangles.length / 3} triangles, the mesh ${triangles.length / 3}`);
    this.T = triangles.length / 3;
    this.tri = new Float64Array(this.T * 9);
    this.vertices = vertices;
    this.setVertices(vertices);
  }

  /** The posed vertices (V×3) the next casts hit. */
  setVertices(v: Float32Array): void {
    this.vertices = v;
    const { triangles, tri } = this;
    for (let t = 0; t < this.T; t++) {
      const a = triangles[t * 3] * 3, b = triangles[t * 3 + 1] * 3, c = triangles[t * 3 + 2] * 3;
      for (let k = 0; k < 3; k++) {
        tri[t * 9 + k] = v[a + k];
        tri[t * 9 + 3 + k] = v[b + k] - v[a + k];
        tri[t * 9 + 6 + k] = v[c + k] - v[a + k];
      }
    }
  }

  /** The nearest hit along the ray (either face: the back of a triangle is hit too, so nothing behind shows through). */
  cast(ray: Ray): SurfaceHit | null {
    const [ox, oy, oz] = ray.origin, [dx, dy, dz] = ray.dir;
    const tri = this.tri;
    let best = -1, bt = Infinity, ba = 0, bb = 0;
    for (let t = 0; t < this.T; t++) {
      const o = t * 9;
      const e1x = tri[o + 3], e1y = tri[o + 4], e1z = tri[o + 5], e2x = tri[o + 6], e2y = tri[o + 7], e2z = tri[o + 8];
      const px = dy * e2z - dz * e2y, py = dz * e2x - dx * e2z, pz = dx * e2y - dy * e2x;
      const det = e1x * px + e1y * py + e1z * pz;
      if (Math.abs(det) < 1e-18) continue;
      const inv = 1 / det;
      const sx = ox - tri[o], sy = oy - tri[o + 1], sz = oz - tri[o + 2];
      const a = (sx * px + sy * py + sz * pz) * inv;
      if (a < 0 || a > 1) continue;
      const qx = sy * e1z - sz * e1y, qy = sz * e1x - sx * e1z, qz = sx * e1y - sy * e1x;
      const b = (dx * qx + dy * qy + dz * qz) * inv;
      if (b < 0 || a + b > 1) continue;
      const dist = (e2x * qx + e2y * qy + e2z * qz) * inv;
      if (dist > 0 && dist < bt) (bt = dist), (best = t), (ba = a), (bb = b);
    }
    if (best < 0) return null;
    // Möller–Trumbore's (a, b) weigh corners 1 and 2.
    const b0 = 1 - ba - bb, b1 = ba;
    return { triangle: best, barycentric: [b0, b1], t: bt, point: [ox + bt * dx, oy + bt * dy, oz + bt * dz], uv: uvAt(this.uv, best, b0, b1) };
  }

  /** Metres of surface per unit of UV on triangle `t` (√(mesh area / UV area)); 0 for a degenerate UV triangle. */
  uvScale(t: number): number {
    const o = t * 9, tri = this.tri;
    const cx = tri[o + 4] * tri[o + 8] - tri[o + 5] * tri[o + 7], cy = tri[o + 5] * tri[o + 6] - tri[o + 3] * tri[o + 8], cz = tri[o + 3] * tri[o + 7] - tri[o + 4] * tri[o + 6];
    const { coords, triangles } = this.uv;
    const i0 = triangles[t * 3] * 2, i1 = triangles[t * 3 + 1] * 2, i2 = triangles[t * 3 + 2] * 2;
    const uvArea2 = Math.abs((coords[i1] - coords[i0]) * (coords[i2 + 1] - coords[i0 + 1]) - (coords[i2] - coords[i0]) * (coords[i1 + 1] - coords[i0 + 1]));
    return uvArea2 > 0 ? Math.sqrt(Math.hypot(cx, cy, cz) / uvArea2) : 0;
  }

  /**
   * Whether a brush moving from hit `a` to hit `b` on the surface must lift instead of drawing a line between their
   * UVs: true when the UV distance, in metres of surface, is far longer than the distance between the two points —
   * the move crossed a UV seam (onto another chart, or across a chart's cut), where a straight UV line would paint
   * across unrelated parts of the atlas.
   */
  crossesSeam(a: SurfaceHit, b: SurfaceHit): boolean {
    const scale = (this.uvScale(a.triangle) + this.uvScale(b.triangle)) / 2;
    const uvMetres = Math.hypot(a.uv[0] - b.uv[0], a.uv[1] - b.uv[1]) * scale;
    const metres = Math.hypot(a.point[0] - b.point[0], a.point[1] - b.point[1], a.point[2] - b.point[2]);
    return uvMetres > 3 * metres + 0.003;
  }

  /** The hit under the continuous pixel (x, y) of `cam`'s image, or null off the head. */
  pick(cam: Camera, x: number, y: number): SurfaceHit | null {
    return this.cast(rayThroughPixel(cam, x, y));
  }

  /** The surface point with UV (u, v) (the lowest UV triangle containing it, as `initFromUvLayout`), or null outside every chart. */
  pointAtUv(u: number, v: number): { triangle: number; barycentric: [number, number]; point: Vec3 } | null {
    const { coords, triangles } = this.uv;
    const eps = 1e-9;
    for (let t = 0; t < this.T; t++) {
      const i0 = triangles[t * 3] * 2, i1 = triangles[t * 3 + 1] * 2, i2 = triangles[t * 3 + 2] * 2;
      const x0 = coords[i0], y0 = coords[i0 + 1], x1 = coords[i1], y1 = coords[i1 + 1], x2 = coords[i2], y2 = coords[i2 + 1];
      const area = (x1 - x0) * (y2 - y0) - (x2 - x0) * (y1 - y0);
      if (!(Math.abs(area) > 1e-14)) continue;
      const l0 = ((x1 - u) * (y2 - v) - (x2 - u) * (y1 - v)) / area;
      const l1 = ((u - x0) * (y2 - y0) - (x2 - x0) * (v - y0)) / area;
      const l2 = 1 - l0 - l1;
      if (l0 < -eps || l1 < -eps || l2 < -eps) continue;
      const a = this.triangles[t * 3] * 3, b = this.triangles[t * 3 + 1] * 3, c = this.triangles[t * 3 + 2] * 3;
      const V = this.vertices;
      const point: Vec3 = [0, 1, 2].map((k) => l0 * V[a + k] + l1 * V[b + k] + l2 * V[c + k]) as Vec3;
      return { triangle: t, barycentric: [l0, l1], point };
    }
    return null;
  }
}
