/**
 * CPU reference (f64) of Gaussians bound to mesh triangles (GaussianAvatars / FATE binding), the twin of
 * `avatar/binding/` (WGSL). See `avatar/binding/README.md` for the maths; in short, for triangle (v0, v1, v2):
 *
 *   e0 = v1 − v0, e1 = v2 − v0, c = e0 × e1
 *   a0 = e0/|e0|, a1 = c/|c| (unit normal), a2 = a0 × a1,  R = [a0 a1 a2] (columns; det +1)
 *   k  = (|e0| + |c|/|e0|)/2        (mean of the first edge's length and the triangle height on it)
 *   μ  = b0·v0 + b1·v1 + (1 − b0 − b1)·v2 + d·a1      (d: normal offset in metres)
 *   q  = quat(R) ⊗ normalize(q_local)                  (unit; zero q_local → identity)
 *   log s = log s_local + log k                          (scale follows triangle stretch)
 *   opacity, SH: copied.
 *
 * Backward: exact derivatives of the above w.r.t. the bound parameters and the vertices. The rotation path uses the
 * tangent-space identity δq = ½ (0, R ω) ⊗ q for δR = R [ω]×, so no derivative of the matrix→quaternion branch is
 * needed (R stays on SO(3) for every vertex position).
 */
import type { Num } from './types';
import { rand01, randNormal } from './densify';

export type V3 = [number, number, number];
export type Q4 = [number, number, number, number];

/** Bound Gaussians on the CPU (structure of arrays). `barycentric` holds (b0, b1); b2 = 1 − b0 − b1. */
export interface BoundRef {
  count: number;
  shDegree: number;
  triangle: Num; // N (integers)
  barycentric: Num; // N×2
  offset: Num; // N, metres along the unit triangle normal
  rotations: Num; // N×4 (w, x, y, z), local, unnormalised
  logScales: Num; // N×3, local (world scale = k · exp)
  opacities: Num; // N logits
  sh: Num; // N×K×3
}

export interface DeformedRef {
  count: number;
  shDegree: number;
  means: Float64Array;
  logScales: Float64Array;
  rotations: Float64Array;
  opacities: Float64Array;
  sh: Float64Array;
}

export interface TriangleFrame {
  v0: V3;
  v1: V3;
  v2: V3;
  a0: V3;
  a1: V3;
  a2: V3;
  k: number;
  q: Q4;
  /** false for a degenerate triangle (zero edge or area): its Gaussians deform to NaN (culled) and get no gradient. */
  valid: boolean;
}

const sub = (a: V3, b: V3): V3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const add = (a: V3, b: V3): V3 => [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
const scale = (a: V3, s: number): V3 => [a[0] * s, a[1] * s, a[2] * s];
const dot = (a: V3, b: V3) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const cross = (a: V3, b: V3): V3 => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
const len = (a: V3) => Math.hypot(a[0], a[1], a[2]);

export function vertexAt(vertices: Num, i: number): V3 {
  return [vertices[i * 3], vertices[i * 3 + 1], vertices[i * 3 + 2]];
}

/** Quaternion product a ⊗ b, (w, x, y, z). */
export function quatMul(a: Q4, b: Q4): Q4 {
  return [
    a[0] * b[0] - a[1] * b[1] - a[2] * b[2] - a[3] * b[3],
    a[0] * b[1] + a[1] * b[0] + a[2] * b[3] - a[3] * b[2],
    a[0] * b[2] - a[1] * b[3] + a[2] * b[0] + a[3] * b[1],
    a[0] * b[3] + a[1] * b[2] - a[2] * b[1] + a[3] * b[0],
  ];
}

/** Rotation matrix with columns c0, c1, c2 → unit quaternion (Shepperd's method; same branches as the WGSL). */
export function frameToQuat(c0: V3, c1: V3, c2: V3): Q4 {
  const m00 = c0[0], m10 = c0[1], m20 = c0[2];
  const m01 = c1[0], m11 = c1[1], m21 = c1[2];
  const m02 = c2[0], m12 = c2[1], m22 = c2[2];
  const tr = m00 + m11 + m22;
  let q: Q4;
  if (tr > 0) {
    const s = Math.sqrt(tr + 1) * 2;
    q = [0.25 * s, (m21 - m12) / s, (m02 - m20) / s, (m10 - m01) / s];
  } else if (m00 > m11 && m00 > m22) {
    const s = Math.sqrt(1 + m00 - m11 - m22) * 2;
    q = [(m21 - m12) / s, 0.25 * s, (m01 + m10) / s, (m02 + m20) / s];
  } else if (m11 > m22) {
    const s = Math.sqrt(1 + m11 - m00 - m22) * 2;
    q = [(m02 - m20) / s, (m01 + m10) / s, 0.25 * s, (m12 + m21) / s];
  } else {
    const s = Math.sqrt(1 + m22 - m00 - m11) * 2;
    q = [(m10 - m01) / s, (m02 + m20) / s, (m12 + m21) / s, 0.25 * s];
  }
  const l = Math.hypot(q[0], q[1], q[2], q[3]);
  return [q[0] / l, q[1] / l, q[2] / l, q[3] / l];
}

export function triangleFrame(vertices: Num, triangles: Num, t: number): TriangleFrame {
  const v0 = vertexAt(vertices, triangles[t * 3]), v1 = vertexAt(vertices, triangles[t * 3 + 1]), v2 = vertexAt(vertices, triangles[t * 3 + 2]);
  const e0 = sub(v1, v0), e1 = sub(v2, v0), c = cross(e0, e1);
  const l0 = len(e0), lc = len(c);
  const valid = l0 > 1e-20 && lc > 1e-30 && Number.isFinite(l0) && Number.isFinite(lc);
  const a0 = scale(e0, 1 / l0), a1 = scale(c, 1 / lc), a2 = cross(a0, a1);
  const k = 0.5 * (l0 + lc / l0);
  const q = valid ? frameToQuat(a0, a1, a2) : ([NaN, NaN, NaN, NaN] as Q4);
  return { v0, v1, v2, a0, a1, a2, k: valid ? k : NaN, q, valid };
}

function normalizeLocal(q: Q4): { q: Q4; len: number } {
  const l = Math.hypot(q[0], q[1], q[2], q[3]);
  if (!(l > 0) || !Number.isFinite(l)) return { q: [1, 0, 0, 0], len: 0 };
  return { q: [q[0] / l, q[1] / l, q[2] / l, q[3] / l], len: l };
}

function triangleOf(bound: BoundRef, i: number, T: number): number {
  const t = bound.triangle[i];
  return Number.isInteger(t) && t >= 0 && t < T ? t : -1;
}

/** Posed Gaussians in world space (a `RefScene`-compatible object) from bound Gaussians and posed vertices. */
export function deformReference(bound: BoundRef, vertices: Num, triangles: Num): DeformedRef {
  const N = bound.count, K3 = (bound.shDegree + 1) ** 2 * 3, T = triangles.length / 3;
  const means = new Float64Array(N * 3), logScales = new Float64Array(N * 3), rotations = new Float64Array(N * 4);
  const frames = new Map<number, TriangleFrame>();
  for (let i = 0; i < N; i++) {
    const t = triangleOf(bound, i, T);
    let f: TriangleFrame | undefined;
    if (t >= 0) {
      f = frames.get(t);
      if (!f) frames.set(t, (f = triangleFrame(vertices, triangles, t)));
    }
    if (!f || !f.valid) {
      means.fill(NaN, i * 3, i * 3 + 3);
      logScales.fill(NaN, i * 3, i * 3 + 3);
      rotations.set([1, 0, 0, 0], i * 4);
      continue;
    }
    const b0 = bound.barycentric[i * 2], b1 = bound.barycentric[i * 2 + 1], b2 = 1 - b0 - b1, d = bound.offset[i];
    for (let a = 0; a < 3; a++) means[i * 3 + a] = b0 * f.v0[a] + b1 * f.v1[a] + b2 * f.v2[a] + d * f.a1[a];
    const lk = Math.log(f.k);
    for (let a = 0; a < 3; a++) logScales[i * 3 + a] = bound.logScales[i * 3 + a] + lk;
    const ql = normalizeLocal([bound.rotations[i * 4], bound.rotations[i * 4 + 1], bound.rotations[i * 4 + 2], bound.rotations[i * 4 + 3]]).q;
    rotations.set(quatMul(f.q, ql), i * 4);
  }
  return {
    count: N,
    shDegree: bound.shDegree,
    means,
    logScales,
    rotations,
    opacities: Float64Array.from({ length: N }, (_, i) => bound.opacities[i]),
    sh: Float64Array.from({ length: N * K3 }, (_, i) => bound.sh[i]),
  };
}

/** Gradients of the world-space parameters (GaussianScene layouts), e.g. from `backwardReference`. */
export interface DeformedGrads {
  means: Num;
  logScales: Num;
  rotations: Num; // w.r.t. the deformed (unit) quaternion as stored in the scene
  opacities: Num;
  sh: Num;
}

export interface BoundGradsRef {
  barycentric: Float64Array; // N×2 (zero unless learnBarycentrics)
  offset: Float64Array; // N
  rotations: Float64Array; // N×4, w.r.t. the stored (unnormalised) local quaternion
  logScales: Float64Array; // N×3
  opacities: Float64Array; // N
  sh: Float64Array; // N×K×3
  vertices: Float64Array; // V×3
}

/**
 * Per-triangle sums the vertex backward needs (the GPU accumulates the same 16 numbers per triangle):
 * Σ b0·g_μ, Σ b1·g_μ, Σ g_μ, Σ d·g_μ, Σ_Gaussians Σ_axes g_logScale, and ν = Σ ½(w g_v − g_w v + v × g_v) over the
 * deformed quaternions (w, v) and their gradients (g_w, g_v) (the world-frame "torque").
 */
export interface TriangleAccum {
  sb0g: V3;
  sb1g: V3;
  sg: V3;
  sdg: V3;
  slogk: number;
  nu: V3;
}

export function emptyAccum(): TriangleAccum {
  return { sb0g: [0, 0, 0], sb1g: [0, 0, 0], sg: [0, 0, 0], sdg: [0, 0, 0], slogk: 0, nu: [0, 0, 0] };
}

/** Vertex gradients of one triangle from its accumulated sums: returns [dv0, dv1, dv2]. */
export function triangleBackward(f: TriangleFrame, acc: TriangleAccum): [V3, V3, V3] {
  const e0 = sub(f.v1, f.v0), e1 = sub(f.v2, f.v0), c = cross(e0, e1);
  const l0 = len(e0), lc = len(c);
  // Direct barycentric point contribution.
  const dv0: V3 = [...acc.sb0g];
  const dv1: V3 = [...acc.sb1g];
  const dv2: V3 = sub(sub(acc.sg, acc.sb0g), acc.sb1g);
  // Frame gradients: rotation (torque τ = Rᵀ ν), normal offset, log k.
  const tau: V3 = [dot(f.a0, acc.nu), dot(f.a1, acc.nu), dot(f.a2, acc.nu)];
  let ga0 = scale(f.a1, tau[2]);
  let ga1 = add(scale(f.a2, tau[0]), acc.sdg);
  const ga2 = scale(f.a0, tau[1]);
  // a2 = a0 × a1
  ga0 = add(ga0, cross(f.a1, ga2));
  ga1 = add(ga1, cross(ga2, f.a0));
  // k = (l0 + lc/l0)/2, d log k = dk / k
  const gk = acc.slogk / f.k;
  const gl0 = gk * 0.5 * (1 - lc / (l0 * l0));
  const glc = gk * 0.5 / l0;
  // a1 = c/|c|, plus lc = |c|
  let gc = scale(sub(ga1, scale(f.a1, dot(f.a1, ga1))), 1 / lc);
  gc = add(gc, scale(f.a1, glc));
  // a0 = e0/|e0|, plus l0 = |e0|
  let ge0 = add(scale(sub(ga0, scale(f.a0, dot(f.a0, ga0))), 1 / l0), scale(f.a0, gl0));
  // c = e0 × e1
  ge0 = add(ge0, cross(e1, gc));
  const ge1 = cross(gc, e0);
  return [sub(sub(dv0, ge0), ge1), add(dv1, ge0), add(dv2, ge1)];
}

export function deformBackwardReference(
  bound: BoundRef,
  vertices: Num,
  triangles: Num,
  g: DeformedGrads,
  options: { learnBarycentrics?: boolean } = {},
): BoundGradsRef {
  const N = bound.count, K3 = (bound.shDegree + 1) ** 2 * 3, T = triangles.length / 3;
  const out: BoundGradsRef = {
    barycentric: new Float64Array(N * 2),
    offset: new Float64Array(N),
    rotations: new Float64Array(N * 4),
    logScales: Float64Array.from({ length: N * 3 }, (_, i) => g.logScales[i]),
    opacities: Float64Array.from({ length: N }, (_, i) => g.opacities[i]),
    sh: Float64Array.from({ length: N * K3 }, (_, i) => g.sh[i]),
    vertices: new Float64Array(vertices.length),
  };
  const frames = new Map<number, TriangleFrame>();
  const accums = new Map<number, TriangleAccum>();
  for (let i = 0; i < N; i++) {
    const t = triangleOf(bound, i, T);
    if (t < 0) continue;
    let f = frames.get(t);
    if (!f) frames.set(t, (f = triangleFrame(vertices, triangles, t)));
    if (!f.valid) continue;
    let acc = accums.get(t);
    if (!acc) accums.set(t, (acc = emptyAccum()));
    const b0 = bound.barycentric[i * 2], b1 = bound.barycentric[i * 2 + 1], d = bound.offset[i];
    const gm: V3 = [g.means[i * 3], g.means[i * 3 + 1], g.means[i * 3 + 2]];
    if (options.learnBarycentrics) {
      out.barycentric[i * 2] = dot(gm, sub(f.v0, f.v2));
      out.barycentric[i * 2 + 1] = dot(gm, sub(f.v1, f.v2));
    }
    out.offset[i] = dot(gm, f.a1);
    acc.sb0g = add(acc.sb0g, scale(gm, b0));
    acc.sb1g = add(acc.sb1g, scale(gm, b1));
    acc.sg = add(acc.sg, gm);
    acc.sdg = add(acc.sdg, scale(gm, d));
    acc.slogk += g.logScales[i * 3] + g.logScales[i * 3 + 1] + g.logScales[i * 3 + 2];
    // Rotation: q = qR ⊗ q̂l.
    const raw: Q4 = [bound.rotations[i * 4], bound.rotations[i * 4 + 1], bound.rotations[i * 4 + 2], bound.rotations[i * 4 + 3]];
    const { q: ql, len: lq } = normalizeLocal(raw);
    const q = quatMul(f.q, ql);
    const gq: Q4 = [g.rotations[i * 4], g.rotations[i * 4 + 1], g.rotations[i * 4 + 2], g.rotations[i * 4 + 3]];
    if (lq > 0) {
      const gl = quatMul([f.q[0], -f.q[1], -f.q[2], -f.q[3]], gq);
      const dp = gl[0] * ql[0] + gl[1] * ql[1] + gl[2] * ql[2] + gl[3] * ql[3];
      for (let a = 0; a < 4; a++) out.rotations[i * 4 + a] = (gl[a] - ql[a] * dp) / lq;
    }
    const w = q[0], v: V3 = [q[1], q[2], q[3]], gw = gq[0], gv: V3 = [gq[1], gq[2], gq[3]];
    acc.nu = add(acc.nu, scale(add(sub(scale(gv, w), scale(v, gw)), cross(v, gv)), 0.5));
  }
  for (const [t, acc] of accums) {
    const f = frames.get(t)!;
    const dv = triangleBackward(f, acc);
    for (let k = 0; k < 3; k++) {
      const vi = triangles[t * 3 + k];
      for (let a = 0; a < 3; a++) out.vertices[vi * 3 + a] += dv[k][a];
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Child placement on the parent's triangle (twin of avatar/binding/densify-rule.ts).

export type TriangleChildMode = 'gaussian' | 'uniform';

/**
 * New barycentrics (b0, b1) for a densification child of a Gaussian bound to triangle `f` (any pose's frame).
 * 'uniform' (FATE): b = u / Σu with u ~ U(0,1)³. 'gaussian' (3DGS split on the surface): a sample of the parent's
 * local Gaussian δ = R_local·(s_local ⊙ n), n ~ N(0, I), its in-plane part k·(δx a0 + δz a2) mapped to barycentric
 * space by least squares; the result is projected into the triangle (negative weights → 0, renormalised).
 * Random numbers: `randNormal/rand01(seed, dst, 0..2)`, as the WGSL.
 */
export function placeChildBarycentric(
  f: TriangleFrame,
  parent: { b0: number; b1: number; rotation: Q4; logScale: V3 },
  mode: TriangleChildMode,
  seed: number,
  dst: number,
): [number, number] {
  let b0 = parent.b0, b1 = parent.b1;
  if (mode === 'uniform') {
    const u0 = rand01(seed, dst, 0), u1 = rand01(seed, dst, 1), u2 = rand01(seed, dst, 2);
    const s = u0 + u1 + u2;
    return [u0 / s, u1 / s];
  }
  const n: V3 = [randNormal(seed, dst, 0), randNormal(seed, dst, 1), randNormal(seed, dst, 2)];
  const { q } = normalizeLocal(parent.rotation);
  const [w, x, y, z] = q;
  const sn: V3 = [Math.exp(parent.logScale[0]) * n[0], Math.exp(parent.logScale[1]) * n[1], Math.exp(parent.logScale[2]) * n[2]];
  // Local rotation matrix (row-major) times sn.
  const R = [
    1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y),
    2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x),
    2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y),
  ];
  const dx = R[0] * sn[0] + R[1] * sn[1] + R[2] * sn[2];
  const dz = R[6] * sn[0] + R[7] * sn[1] + R[8] * sn[2];
  const wv = add(scale(f.a0, f.k * dx), scale(f.a2, f.k * dz));
  const u0 = sub(f.v0, f.v2), u1 = sub(f.v1, f.v2);
  const g00 = dot(u0, u0), g01 = dot(u0, u1), g11 = dot(u1, u1);
  const det = g00 * g11 - g01 * g01;
  if (det > 1e-12 * g00 * g11 && Number.isFinite(det)) {
    const r0 = dot(u0, wv), r1 = dot(u1, wv);
    b0 += (g11 * r0 - g01 * r1) / det;
    b1 += (g00 * r1 - g01 * r0) / det;
  }
  return projectBarycentric(b0, b1);
}

/** Closest-ish point in the triangle: negative weights → 0, renormalised (b0 + b1 + b2 = 1). */
export function projectBarycentric(b0: number, b1: number): [number, number] {
  const c0 = Math.max(b0, 0), c1 = Math.max(b1, 0), c2 = Math.max(1 - b0 - b1, 0);
  const s = c0 + c1 + c2;
  if (!(s > 0)) return [1 / 3, 1 / 3];
  return [c0 / s, c1 / s];
}
