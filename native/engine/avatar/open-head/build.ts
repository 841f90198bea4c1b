/**
 * The open head: the project's own full-head template, built procedurally.
 *
 * - Face: the 468-vertex MediaPipe face-mesh topology (vertex i = landmark i), by default the canonical face model,
 *   or a subject's own mean face (468 × 3, model space, metres) from tracked landmarks. Its eye and mouth openings are
 *   opened (the canonical triangulation fills them) and sealed by pockets, so the head is a closed surface.
 * - Skull, back of head and neck: a loft from the face oval (36 vertices) to a pole at the back of the head, along
 *   rays from a head centre; each ray ends on a star-shaped solid (skull ellipsoid ∪ neck cylinder), so the loft never
 *   folds over itself.
 * - Eyes: two closed eyeballs (skinned to the eye joints; they carry the iris landmarks 468–477).
 * - Ears: two closed, flattened ellipsoids at the sides of the skull.
 * - Skinning: root (neck base), neck (head), jaw, left eye, right eye — FLAME's joints and hierarchy.
 * - UVs: a complete, overlap-free atlas; see ./README.md.
 */
import { SkinnedHeadModel, type LandmarkEmbedding, type SkinnedModelData } from '../head-model';
import { boundaryLoops, signedVolume } from '../mesh-utils';
import { CANONICAL_FACE_POSITIONS, CANONICAL_FACE_TRIANGLES, CANONICAL_FACE_UVS } from './canonical-face';

export const FACE_VERTEX_COUNT = 468;

/** MediaPipe landmark groups used to build and rig the head. */
export const LIPS_INNER_UPPER = [191, 80, 81, 82, 13, 312, 311, 310, 415];
export const LIPS_INNER_LOWER = [95, 88, 178, 87, 14, 317, 402, 318, 324];
export const LIPS_OUTER_UPPER = [185, 40, 39, 37, 0, 267, 269, 270, 409];
export const LIPS_OUTER_LOWER = [146, 91, 181, 84, 17, 314, 405, 321, 375];
export const MOUTH_CORNERS = [61, 291, 78, 308];
export const MOUTH_RING = [78, ...LIPS_INNER_UPPER, 308, ...[...LIPS_INNER_LOWER].reverse()];
/** Subject's right eye (x < 0; MediaPipe "right", iris 468–472) and left eye (x > 0; iris 473–477). */
export const RIGHT_EYE_RING = [33, 246, 161, 160, 159, 158, 157, 173, 133, 155, 154, 153, 145, 144, 163, 7];
export const LEFT_EYE_RING = [263, 466, 388, 387, 386, 385, 384, 398, 362, 382, 381, 380, 374, 373, 390, 249];
export const RIGHT_BROW = [46, 53, 52, 65, 55, 70, 63, 105, 66, 107];
export const LEFT_BROW = [276, 283, 282, 295, 285, 300, 293, 334, 296, 336];

const SKULL_RINGS = 14;
const EYE_SEGMENTS = 12; // eyeball longitudes (divisible by 4: iris boundary landmarks sit on vertices)
const EYE_RINGS = 7;
const EYE_RADIUS = 1.2; // cm
const IRIS_ANGLE = Math.asin(0.58 / EYE_RADIUS); // iris radius ≈ 5.8 mm
const EAR_SEGMENTS = 10;
const EAR_RINGS = 6;

/** Rectangles of the UV atlas (u0, v0, u1, v1); u right, v down. Documented in README.md. */
export const UV_CHARTS = {
  face: [0.01, 0.01, 0.49, 0.49],
  skull: [0.01, 0.51, 0.99, 0.99],
  mouth: [0.51, 0.01, 0.99, 0.09],
  rightSocket: [0.51, 0.11, 0.74, 0.16],
  leftSocket: [0.76, 0.11, 0.99, 0.16],
  rightEyeball: [0.51, 0.18, 0.74, 0.33],
  leftEyeball: [0.76, 0.18, 0.99, 0.33],
  rightEar: [0.51, 0.35, 0.74, 0.49],
  leftEar: [0.76, 0.35, 0.99, 0.49],
} as const;
export type UvChartName = keyof typeof UV_CHARTS;

export interface OpenHeadOptions {
  /** A subject's face: 468 × 3 in model space, metres (e.g. `ExpressionSpace.mean`). Default: the canonical face. */
  face?: ArrayLike<number>;
  /** Expression basis on the 468 face vertices: E × 468 × 3 (metres per unit coefficient), with clamp ranges. */
  expression?: { basis: ArrayLike<number>; count: number; range?: ArrayLike<number> };
}

/** Parts of the mesh, for tests, UV docs and downstream tools: vertex and triangle ranges per part. */
export interface OpenHeadParts {
  vertexRanges: Record<string, [number, number]>;
  triangleRanges: Record<string, [number, number]>;
  /** Face-vertex index → extension weights: how each non-face vertex follows face displacements (sparse). */
  follow: { vertex: number; sources: number[]; weights: number[] }[];
}

class Builder {
  pos: number[] = [];
  tri: number[] = [];
  uv: number[] = [];
  uvTri: number[] = [];
  addVertex(p: ArrayLike<number>): number {
    this.pos.push(p[0]!, p[1]!, p[2]!);
    return this.pos.length / 3 - 1;
  }
  addUv(u: number, v: number): number {
    this.uv.push(u, v);
    return this.uv.length / 2 - 1;
  }
  addTri(a: number, b: number, c: number, ua: number, ub: number, uc: number): void {
    this.tri.push(a, b, c);
    this.uvTri.push(ua, ub, uc);
  }
  p(i: number): [number, number, number] {
    return [this.pos[i * 3]!, this.pos[i * 3 + 1]!, this.pos[i * 3 + 2]!];
  }
}

/**
 * A chart of rings: rows[r] is a closed loop of vertex ids (all rows the same length n), optionally ending in a pole.
 * Triangles follow the boundary-loop convention (row r's edge a → b is contained by its triangles), so a strip glued
 * to a boundary loop of existing triangles is consistently oriented. UVs: columns over [u0, u1] with a seam column,
 * rows over [v0, v1].
 */
function ringChart(b: Builder, rows: number[][], pole: number | null, rect: readonly number[]): void {
  const n = rows[0]!.length;
  const nRows = rows.length + (pole === null ? 0 : 1);
  const [u0, v0, u1, v1] = rect as [number, number, number, number];
  const uvIds: number[][] = rows.map((_, r) => {
    const ids: number[] = [];
    for (let i = 0; i <= n; i++) ids.push(b.addUv(u0 + ((u1 - u0) * i) / n, v0 + ((v1 - v0) * r) / (nRows - 1)));
    return ids;
  });
  for (let r = 0; r + 1 < rows.length; r++) {
    const A = rows[r]!, B = rows[r + 1]!, UA = uvIds[r]!, UB = uvIds[r + 1]!;
    for (let i = 0; i < n; i++) {
      const j = (i + 1) % n;
      b.addTri(A[i]!, A[j]!, B[i]!, UA[i]!, UA[i + 1]!, UB[i]!);
      b.addTri(A[j]!, B[j]!, B[i]!, UA[i + 1]!, UB[i + 1]!, UB[i]!);
    }
  }
  if (pole !== null) {
    const A = rows[rows.length - 1]!, UA = uvIds[rows.length - 1]!;
    for (let i = 0; i < n; i++) {
      const up = b.addUv(u0 + ((u1 - u0) * (i + 0.5)) / n, v1);
      b.addTri(A[i]!, A[(i + 1) % n]!, pole, UA[i]!, UA[i + 1]!, up);
    }
  }
}

/** A closed UV sphere (ellipsoid) around `centre` with axes ax (front), ay, az: pole → rings → pole, triangles outward. */
function ellipsoid(b: Builder, centre: number[], axes: number[][], radii: number[], rings: number, segments: number, rect: readonly number[], firstRingAngle?: number): { first: number; front: number; ringStart: number } {
  const first = b.pos.length / 3;
  const pt = (theta: number, phi: number): number[] => {
    const f = Math.cos(theta) * radii[0]!, s = Math.sin(theta);
    const x = s * Math.cos(phi) * radii[1]!, y = s * Math.sin(phi) * radii[2]!;
    return [0, 1, 2].map((k) => centre[k]! + axes[0]![k]! * f + axes[1]![k]! * x + axes[2]![k]! * y);
  };
  const front = b.addVertex(pt(0, 0));
  const rows: number[][] = [];
  const ringStart = b.pos.length / 3;
  for (let r = 0; r < rings; r++) {
    const theta = firstRingAngle !== undefined && r === 0 ? firstRingAngle : firstRingAngle !== undefined ? firstRingAngle + ((Math.PI - firstRingAngle) * r) / rings : (Math.PI * (r + 1)) / (rings + 1);
    const row: number[] = [];
    for (let i = 0; i < segments; i++) row.push(b.addVertex(pt(theta, (2 * Math.PI * i) / segments)));
    rows.push(row);
  }
  const back = b.addVertex(pt(Math.PI, 0));
  // front cap: fan with its own UV row at the top of the chart
  const [u0, v0, u1, v1] = rect as [number, number, number, number];
  const dv = (v1 - v0) / (rings + 1);
  const topRow: number[] = [];
  for (let i = 0; i <= segments; i++) topRow.push(b.addUv(u0 + ((u1 - u0) * i) / segments, v0 + dv));
  const triStart = b.tri.length;
  for (let i = 0; i < segments; i++) {
    const up = b.addUv(u0 + ((u1 - u0) * (i + 0.5)) / segments, v0);
    b.addTri(front, rows[0]![(i + 1) % segments]!, rows[0]![i]!, up, topRow[i + 1]!, topRow[i]!);
  }
  ringChart(b, rows, back, [u0, v0 + dv, u1, v1]);
  // orient outward: flip this component if its volume is negative
  const tris = b.tri.slice(triStart);
  const local = tris.map((v) => v);
  if (signedVolume(b.pos, local) < 0) {
    for (let t = triStart; t < b.tri.length; t += 3) {
      const a = b.tri[t + 1]!; b.tri[t + 1] = b.tri[t + 2]!; b.tri[t + 2] = a;
      const ua = b.uvTri[t + 1]!; b.uvTri[t + 1] = b.uvTri[t + 2]!; b.uvTri[t + 2] = ua;
    }
  }
  return { first, front, ringStart };
}

const smoothstep = (e0: number, e1: number, x: number): number => {
  const t = Math.max(0, Math.min(1, (x - e0) / (e1 - e0)));
  return t * t * (3 - 2 * t);
};

/** Head geometry constants (centimetres, canonical-face frame). */
const HEAD_CENTRE = [0, 1.5, -3.5];
const HEAD_RADII = [7.9, 11, 10];
const NECK = { x: 0, z: -4.2, radius: 5.4, top: -4, bottom: -20 };

/** Distance along unit ray d from the head centre to the surface of skull ellipsoid ∪ neck cylinder. */
function headRadius(d: number[]): number {
  const c = HEAD_CENTRE;
  const qx = d[0]! / HEAD_RADII[0]!, qy = d[1]! / HEAD_RADII[1]!, qz = d[2]! / HEAD_RADII[2]!;
  const tEll = 1 / Math.hypot(qx, qy, qz);
  // ray vs capped vertical cylinder
  const ox = c[0]! - NECK.x, oz = c[2]! - NECK.z;
  const a = d[0]! ** 2 + d[2]! ** 2, bq = 2 * (ox * d[0]! + oz * d[2]!), cq = ox * ox + oz * oz - NECK.radius ** 2;
  let tIn = -Infinity, tOut = Infinity;
  if (a > 1e-12) {
    const disc = bq * bq - 4 * a * cq;
    if (disc < 0) return tEll;
    const s = Math.sqrt(disc);
    tIn = (-bq - s) / (2 * a); tOut = (-bq + s) / (2 * a);
  } else if (cq > 0) return tEll;
  if (Math.abs(d[1]!) > 1e-12) {
    const t1 = (NECK.top - c[1]!) / d[1]!, t2 = (NECK.bottom - c[1]!) / d[1]!;
    tIn = Math.max(tIn, Math.min(t1, t2)); tOut = Math.min(tOut, Math.max(t1, t2));
  } else if (c[1]! > NECK.top || c[1]! < NECK.bottom) return tEll;
  if (tOut <= tIn || tOut <= 0) return tEll;
  return tIn <= tEll ? Math.max(tEll, tOut) : tEll;
}

function normalize(v: number[]): number[] {
  const n = Math.hypot(v[0]!, v[1]!, v[2]!);
  return [v[0]! / n, v[1]! / n, v[2]! / n];
}

/** Builds the open-head template geometry (centimetres) and everything the model needs. */
function buildGeometry(facePositionsCm: ArrayLike<number>) {
  const b = new Builder();
  for (let i = 0; i < FACE_VERTEX_COUNT; i++) b.addVertex([facePositionsCm[i * 3]!, facePositionsCm[i * 3 + 1]!, facePositionsCm[i * 3 + 2]!]);
  const vertexRanges: Record<string, [number, number]> = { face: [0, FACE_VERTEX_COUNT] };
  const triangleRanges: Record<string, [number, number]> = {};
  const follow: OpenHeadParts['follow'] = [];

  // --- face: canonical triangulation minus the eye and mouth openings
  const holeSets = [MOUTH_RING, RIGHT_EYE_RING, LEFT_EYE_RING].map((r) => new Set(r));
  const [fu0, fv0, fu1, fv1] = UV_CHARTS.face;
  for (let i = 0; i < FACE_VERTEX_COUNT; i++) b.addUv(fu0 + (fu1 - fu0) * CANONICAL_FACE_UVS[i * 2]!, fv0 + (fv1 - fv0) * CANONICAL_FACE_UVS[i * 2 + 1]!);
  for (let t = 0; t < CANONICAL_FACE_TRIANGLES.length; t += 3) {
    const a = CANONICAL_FACE_TRIANGLES[t]!, c1 = CANONICAL_FACE_TRIANGLES[t + 1]!, c2 = CANONICAL_FACE_TRIANGLES[t + 2]!;
    if (holeSets.some((s) => s.has(a) && s.has(c1) && s.has(c2))) continue;
    b.addTri(a, c1, c2, a, c1, c2);
  }
  triangleRanges.face = [0, b.tri.length / 3];
  const loops = boundaryLoops(b.tri);
  const loopWith = (v: number): number[] => {
    const l = loops.find((x) => x.includes(v));
    if (!l) throw new Error(`open head: no boundary loop through face vertex ${v}`);
    const k = l.indexOf(v);
    return [...l.slice(k), ...l.slice(0, k)];
  };
  const oval = loopWith(152); // chin first: the skull chart's seam runs under the chin
  const mouth = loopWith(78);
  const eyeR = loopWith(33);
  const eyeL = loopWith(263);
  if (loops.length !== 4 || oval.length !== 36 || mouth.length !== 20 || eyeR.length !== 16 || eyeL.length !== 16)
    throw new Error(`open head: unexpected face boundary (${loops.map((l) => l.length).join(', ')})`);

  const centroid = (ids: number[]): number[] => {
    const c = [0, 0, 0];
    for (const i of ids) for (let k = 0; k < 3; k++) c[k]! += b.pos[i * 3 + k]! / ids.length;
    return c;
  };

  // --- skull / back of head / neck loft
  let t0 = b.tri.length / 3;
  let v0 = b.pos.length / 3;
  const f = [0, 0, 1];
  const rows: number[][] = [oval];
  const ovalDirs = oval.map((i) => normalize([0, 1, 2].map((k) => b.pos[i * 3 + k]! - HEAD_CENTRE[k]!)));
  const ovalDist = oval.map((i) => Math.hypot(...[0, 1, 2].map((k) => b.pos[i * 3 + k]! - HEAD_CENTRE[k]!)));
  for (let r = 1; r <= SKULL_RINGS; r++) {
    const t = r / (SKULL_RINGS + 1);
    const row: number[] = [];
    oval.forEach((_, i) => {
      const d = ovalDirs[i]!;
      const alpha = Math.acos(Math.max(-1, Math.min(1, d[2]!)));
      const perp = normalize([d[0]!, d[1]!, 0]);
      const a = alpha + (Math.PI - alpha) * t;
      const dir = [perp[0]! * Math.sin(a) + f[0]! * Math.cos(a), perp[1]! * Math.sin(a) + f[1]! * Math.cos(a), Math.cos(a)];
      const rho = headRadius(dir) + (ovalDist[i]! - headRadius(d)) * (1 - smoothstep(0, 0.35, t));
      row.push(b.addVertex(dir.map((x, k) => HEAD_CENTRE[k]! + x * rho)));
    });
    rows.push(row);
  }
  const backDir = [0, 0, -1];
  const backPole = b.addVertex(backDir.map((x, k) => HEAD_CENTRE[k]! + x * headRadius(backDir)));
  ringChart(b, rows, backPole, UV_CHARTS.skull);
  vertexRanges.skull = [v0, b.pos.length / 3];
  triangleRanges.skull = [t0, b.tri.length / 3];

  // --- mouth cavity: two rings and a cap behind the inner lips
  t0 = b.tri.length / 3; v0 = b.pos.length / 3;
  const mc = centroid(mouth);
  const ring1 = mouth.map((i) => { const p = b.p(i); return b.addVertex([mc[0]! + (p[0] - mc[0]!) * 0.85, mc[1]! + (p[1] - mc[1]!) * 0.85 - 0.1, p[2] - 1.2]); });
  const ring2 = mouth.map((i) => { const p = b.p(i); return b.addVertex([mc[0]! + (p[0] - mc[0]!) * 0.5, mc[1]! + (p[1] - mc[1]!) * 0.5 - 0.3, mc[2]! - 2.8]); });
  const mouthCap = b.addVertex([mc[0]!, mc[1]! - 0.3, mc[2]! - 3.3]);
  ringChart(b, [mouth, ring1, ring2], mouthCap, UV_CHARTS.mouth);
  mouth.forEach((src, i) => { follow.push({ vertex: ring1[i]!, sources: [src], weights: [0.85] }); follow.push({ vertex: ring2[i]!, sources: [src], weights: [0.5] }); });
  follow.push({ vertex: mouthCap, sources: mouth, weights: mouth.map(() => 0.3 / mouth.length) });
  vertexRanges.mouth = [v0, b.pos.length / 3];
  triangleRanges.mouth = [t0, b.tri.length / 3];

  // --- eye sockets and eyeballs
  const eyes: { ring: number[]; name: 'right' | 'left'; centre: number[]; ballFirst: number; ballEnd: number; front: number; ringStart: number }[] = [];
  for (const [ring, name] of [[eyeR, 'right'], [eyeL, 'left']] as const) {
    t0 = b.tri.length / 3; v0 = b.pos.length / 3;
    const ec = centroid(ring);
    const inner = ring.map((i) => { const p = b.p(i); return b.addVertex([ec[0]! + (p[0] - ec[0]!) * 0.55, ec[1]! + (p[1] - ec[1]!) * 0.55, p[2] - 0.9]); });
    const cap = b.addVertex([ec[0]!, ec[1]!, ec[2]! - 1.3]);
    ringChart(b, [ring, inner], cap, name === 'right' ? UV_CHARTS.rightSocket : UV_CHARTS.leftSocket);
    ring.forEach((src, i) => follow.push({ vertex: inner[i]!, sources: [src], weights: [0.5] }));
    vertexRanges[`${name}Socket`] = [v0, b.pos.length / 3];
    triangleRanges[`${name}Socket`] = [t0, b.tri.length / 3];
    t0 = b.tri.length / 3;
    const centre = [ec[0]!, ec[1]!, ec[2]! - EYE_RADIUS + 0.05];
    const ball = ellipsoid(b, centre, [[0, 0, 1], [1, 0, 0], [0, 1, 0]], [EYE_RADIUS, EYE_RADIUS, EYE_RADIUS], EYE_RINGS, EYE_SEGMENTS, name === 'right' ? UV_CHARTS.rightEyeball : UV_CHARTS.leftEyeball, IRIS_ANGLE);
    vertexRanges[`${name}Eyeball`] = [ball.first, b.pos.length / 3];
    triangleRanges[`${name}Eyeball`] = [t0, b.tri.length / 3];
    eyes.push({ ring, name, centre, ballFirst: ball.first, ballEnd: b.pos.length / 3, front: ball.front, ringStart: ball.ringStart });
  }

  // --- ears
  for (const side of [1, -1]) {
    t0 = b.tri.length / 3;
    const first = b.pos.length / 3;
    const tilt = 0.25;
    const out = [side, 0, 0];
    ellipsoid(b, [side * 8.1, 0.6, -4.8], [out, [0, Math.cos(tilt), Math.sin(tilt)], [0, -Math.sin(tilt), Math.cos(tilt)]], [0.9, 3.0, 1.7], EAR_RINGS, EAR_SEGMENTS, side > 0 ? UV_CHARTS.leftEar : UV_CHARTS.rightEar);
    const name = side > 0 ? 'leftEar' : 'rightEar';
    vertexRanges[name] = [first, b.pos.length / 3];
    triangleRanges[name] = [t0, b.tri.length / 3];
  }
  return { b, vertexRanges, triangleRanges, follow, eyes, mouth };
}

/** Triangle containing vertex v (any), and v's slot in it. */
function triangleOfVertex(tri: ArrayLike<number>, v: number): [number, number] {
  for (let t = 0; t < tri.length; t += 3) for (let k = 0; k < 3; k++) if (tri[t + k] === v) return [t / 3, k];
  throw new Error(`vertex ${v} is in no triangle`);
}

/** Default face: the canonical face in metres (468 × 3). */
export function canonicalFace(): Float32Array {
  return Float32Array.from(CANONICAL_FACE_POSITIONS, (x) => x * 0.01);
}

export interface OpenHead extends SkinnedHeadModel {
  readonly parts: OpenHeadParts;
}

/** Extends a displacement field on the 468 face vertices to all open-head vertices (pockets follow their rims). */
export function extendFaceField(parts: OpenHeadParts, vertexCount: number, face: ArrayLike<number>, out = new Float32Array(vertexCount * 3)): Float32Array {
  out.fill(0);
  for (let i = 0; i < FACE_VERTEX_COUNT * 3; i++) out[i] = face[i]!;
  for (const f of parts.follow)
    for (let s = 0; s < f.sources.length; s++) for (let k = 0; k < 3; k++) out[f.vertex * 3 + k]! += f.weights[s]! * face[f.sources[s]! * 3 + k]!;
  return out;
}

export function createOpenHead(options: OpenHeadOptions = {}): OpenHead {
  const faceM = options.face ?? canonicalFace();
  if (faceM.length < FACE_VERTEX_COUNT * 3) throw new Error(`open head: the face needs ${FACE_VERTEX_COUNT} × 3 numbers, got ${faceM.length}`);
  const faceCm = Float64Array.from({ length: FACE_VERTEX_COUNT * 3 }, (_, i) => faceM[i]! * 100);
  const { b, vertexRanges, triangleRanges, follow, eyes } = buildGeometry(faceCm);
  const V = b.pos.length / 3;
  const parts: OpenHeadParts = { vertexRanges, triangleRanges, follow };

  // --- joints by regression (affine combinations of vertices, so they follow shape)
  const J = 5;
  const reg: { v: number; w: number }[][] = [
    [{ v: 234, w: 0.5 }, { v: 454, w: 0.5 }, { v: 152, w: 1 }, { v: 10, w: -1 }], // root: neck base
    [{ v: 234, w: 0.5 }, { v: 454, w: 0.5 }, { v: 152, w: 0.25 }, { v: 10, w: -0.25 }], // neck: head pivot
    [{ v: 234, w: 0.5 }, { v: 454, w: 0.5 }], // jaw hinge line
    [], [],
  ];
  for (const e of eyes) {
    const ids: { v: number; w: number }[] = [];
    const n = e.ballEnd - e.ballFirst;
    for (let v = e.ballFirst; v < e.ballEnd; v++) ids.push({ v, w: 0 });
    // centre of a UV sphere: mean of its two poles
    ids.length = 0;
    ids.push({ v: e.front, w: 0.5 }, { v: e.ballEnd - 1, w: 0.5 });
    void n;
    reg[e.name === 'left' ? 3 : 4] = ids;
  }
  const rowStart = new Int32Array(J + 1), indices: number[] = [], weightsR: number[] = [];
  reg.forEach((r, j) => { for (const { v, w } of r) { indices.push(v); weightsR.push(w); } rowStart[j + 1] = indices.length; });

  // --- skinning weights
  const W = new Float32Array(V * J);
  const pos = b.pos;
  const mouthCornerY = (pos[61 * 3 + 1]! + pos[291 * 3 + 1]!) / 2;
  const lipLower = new Set([...LIPS_INNER_LOWER, ...LIPS_OUTER_LOWER]);
  const lipUpper = new Set([...LIPS_INNER_UPPER, ...LIPS_OUTER_UPPER]);
  const jawOf = (v: number): number => {
    if (lipLower.has(v)) return 1;
    if (lipUpper.has(v)) return 0;
    if (v === 78 || v === 308 || v === 61 || v === 291) return 0.5;
    const x = pos[v * 3]!, y = pos[v * 3 + 1]!, z = pos[v * 3 + 2]!;
    return smoothstep(mouthCornerY + 0.3, mouthCornerY - 1.5, y) * (1 - smoothstep(5.5, 7.5, Math.abs(x))) * smoothstep(-3, 0.5, z);
  };
  const setW = (v: number, root: number, jaw: number): void => {
    W[v * J] = root;
    W[v * J + 2] = (1 - root) * jaw;
    W[v * J + 1] = (1 - root) * (1 - jaw);
  };
  const headEnd = vertexRanges.skull![1];
  for (let v = 0; v < headEnd; v++) {
    const y = pos[v * 3 + 1]!, z = pos[v * 3 + 2]!;
    const root = v < FACE_VERTEX_COUNT ? 0 : (1 - smoothstep(-16, -9.5, y)) * (1 - smoothstep(-1, 2.5, z));
    setW(v, root, jawOf(v));
  }
  // pockets: copy their rim's weights
  for (const fo of follow) {
    let jaw = 0, wsum = 0;
    for (let s = 0; s < fo.sources.length; s++) { jaw += jawOf(fo.sources[s]!) ; wsum += 1; }
    setW(fo.vertex, 0, jaw / wsum);
  }
  for (const [name, [a, e]] of Object.entries(vertexRanges)) {
    if (name.endsWith('Eyeball')) for (let v = a; v < e; v++) W[v * J + (name.startsWith('left') ? 3 : 4)] = 1;
    else if (name.endsWith('Ear')) for (let v = a; v < e; v++) W[v * J + 1] = 1;
  }
  for (let v = 0; v < V; v++) {
    let s = 0;
    for (let j = 0; j < J; j++) s += W[v * J + j]!;
    if (s === 0) W[v * J + 1] = 1; // pocket caps: rigid with the head
  }

  // --- shape space (scale-free: the head's height stays the template's, which fixes metric scale like MICA's prior):
  // 0: width (x) and 1: depth (z) relative to the head centre, 1 unit = 10 %; 2: face relief (front of the face in z).
  const S = 3;
  const shapeDirs = new Float32Array(V * 3 * S);
  for (let v = 0; v < V; v++) {
    shapeDirs[(v * 3) * S] = 0.1 * (pos[v * 3]! - HEAD_CENTRE[0]!) * 0.01;
    shapeDirs[(v * 3 + 2) * S + 1] = 0.1 * (pos[v * 3 + 2]! - HEAD_CENTRE[2]!) * 0.01;
    if (v < FACE_VERTEX_COUNT) shapeDirs[(v * 3 + 2) * S + 2] = 0.1 * Math.max(0, pos[v * 3 + 2]! - 2) * 0.01;
  }
  // how much adults vary relative to head height (1 σ, in units): breadth and length about 4–5 % (anthropometric
  // surveys such as ANSUR II), face relief more (nose and brow prominence)
  const shapeSigma = Float32Array.from([0.5, 0.5, 1]);

  // --- expression space
  const E = options.expression?.count ?? 0;
  const exprDirs = new Float32Array(V * 3 * E);
  const range = new Float32Array(E * 2);
  if (options.expression) {
    const basis = options.expression.basis;
    const full = new Float32Array(V * 3);
    for (let e = 0; e < E; e++) {
      extendFaceField(parts, V, basis.length >= (e + 1) * FACE_VERTEX_COUNT * 3 ? Array.prototype.slice.call(basis, e * FACE_VERTEX_COUNT * 3, (e + 1) * FACE_VERTEX_COUNT * 3) as number[] : [], full);
      for (let i = 0; i < V * 3; i++) exprDirs[i * E + e] = full[i]!;
      range[e * 2] = options.expression.range?.[e * 2] ?? -3;
      range[e * 2 + 1] = options.expression.range?.[e * 2 + 1] ?? 3;
    }
  }

  // --- landmark embedding: 468 face vertices + 10 iris points on the eyeballs
  const lmIndex: number[] = [], lmTri: number[] = [], lmBary: number[] = [];
  const embedVertex = (landmark: number, v: number): void => {
    const [t, k] = triangleOfVertex(b.tri, v);
    lmIndex.push(landmark); lmTri.push(t); lmBary.push(k === 0 ? 1 : 0, k === 1 ? 1 : 0, k === 2 ? 1 : 0);
  };
  for (let i = 0; i < FACE_VERTEX_COUNT; i++) embedVertex(i, i);
  for (const e of eyes) {
    const base = e.name === 'right' ? 468 : 473;
    embedVertex(base, e.front);
    // first eyeball ring (at the iris radius): longitude 0 = +x (image right), 1/4 = +y (up), 1/2 = −x, 3/4 = −y.
    // The detector mirrors the left eye's crop, so that eye's first and third edge points (474, 476) come swapped.
    const edgeOrder = e.name === 'right' ? [0, 1, 2, 3] : [2, 1, 0, 3];
    for (let q = 0; q < 4; q++) embedVertex(base + 1 + q, e.ringStart + (edgeOrder[q]! * EYE_SEGMENTS) / 4);
  }

  const data: SkinnedModelData = {
    vTemplate: Float32Array.from(pos, (x) => x * 0.01),
    shapeDirs, shapeCount: S, shapeSigma, exprDirs, exprCount: E, poseDirs: null,
    jRegressor: { rowStart, indices: Int32Array.from(indices), weights: Float64Array.from(weightsR) },
    weights: W, parents: Int32Array.from([-1, 0, 1, 1, 1]), triangles: Uint32Array.from(b.tri),
  };
  const landmarks: LandmarkEmbedding = { landmarkIndex: Int32Array.from(lmIndex), triangle: Uint32Array.from(lmTri), barycentric: Float32Array.from(lmBary) };
  const model = new SkinnedHeadModel('open-head', data, { coords: Float32Array.from(b.uv), triangles: Uint32Array.from(b.uvTri) }, landmarks, range) as OpenHead;
  (model as { parts: OpenHeadParts }).parts = parts;
  return model;
}
