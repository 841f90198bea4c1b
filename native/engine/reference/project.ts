/**
 * EWA projection of one Gaussian (CONVENTIONS.md "Projection"), with the 3DGS frustum
 * clamp in J, and its backward (2D gradients → 3D parameters).
 */
import { cameraCentre, viewRotation, worldToCamera, type Mat3, type Vec3 } from './camera';
import { normalizeQuat, quatToMat, quatToMatBackward, type Quat } from './quat';
import { evalSH, evalSHBackward, viewDir } from './sh';
import { DEFAULT_NEAR, LOW_PASS, TILE_SIZE, shCoeffCount, type Camera, type RefScene } from './types';

export interface Projected {
  visible: boolean;
  u: number;
  v: number;
  /** Camera-space z. */
  depth: number;
  /** Inverse 2D covariance [a, b, c] = [[a, b], [b, c]]. */
  conic: [number, number, number];
  cov2d: [number, number, number];
  radius: number;
  /** Tile rectangle, [min, max) in tile units. */
  tileMin: [number, number];
  tileMax: [number, number];
  opacity: number;
  color: Vec3;
}

/** Intermediates the backward needs (recomputed, never stored by the GPU). */
interface ProjectInternals {
  t: Vec3;
  W: Mat3;
  R: Mat3;
  s: Vec3;
  M: Mat3;
  Sigma: Mat3;
  T: number[]; // 2×3 row-major
  tx: number;
  ty: number;
  clampX: boolean;
  clampY: boolean;
  dir: Vec3;
  dirLen: number;
  rawColor: Vec3;
}

const INVISIBLE: Projected = {
  visible: false, u: 0, v: 0, depth: 0, conic: [0, 0, 0], cov2d: [0, 0, 0], radius: 0,
  tileMin: [0, 0], tileMax: [0, 0], opacity: 0, color: [0, 0, 0],
};

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** Tiles overlapped by the box [u±r]×[v±r], clamped to the grid, as [min, max). */
/** Tiles of the box u ± rx, v ± ry (half-extents in pixels), clamped to the image's tile grid. */
export function tileRect(u: number, v: number, rx: number, ry: number, width: number, height: number) {
  const tilesX = Math.ceil(width / TILE_SIZE);
  const tilesY = Math.ceil(height / TILE_SIZE);
  const tileMin: [number, number] = [
    Math.min(tilesX, Math.max(0, Math.floor((u - rx) / TILE_SIZE))),
    Math.min(tilesY, Math.max(0, Math.floor((v - ry) / TILE_SIZE))),
  ];
  const tileMax: [number, number] = [
    Math.min(tilesX, Math.max(0, Math.ceil((u + rx) / TILE_SIZE))),
    Math.min(tilesY, Math.max(0, Math.ceil((v + ry) / TILE_SIZE))),
  ];
  return { tileMin, tileMax };
}

function paramsFinite(scene: RefScene, i: number): boolean {
  const K = shCoeffCount(scene.shDegree);
  const check = (a: ArrayLike<number>, off: number, n: number) => {
    for (let k = 0; k < n; k++) if (!Number.isFinite(a[off + k])) return false;
    return true;
  };
  return (
    check(scene.means, i * 3, 3) && check(scene.logScales, i * 3, 3) && check(scene.rotations, i * 4, 4) &&
    check(scene.opacities, i, 1) && check(scene.sh, i * K * 3, K * 3)
  );
}

function projectInternal(
  scene: RefScene,
  i: number,
  cam: Camera,
  near: number,
): { p: Projected; x: ProjectInternals | null } {
  if (!paramsFinite(scene, i)) return { p: INVISIBLE, x: null };
  const mean: Vec3 = [scene.means[i * 3], scene.means[i * 3 + 1], scene.means[i * 3 + 2]];
  const t = worldToCamera(cam.viewMatrix, mean);
  const z = t[2];
  if (!(z > near)) return { p: INVISIBLE, x: null };
  const W = viewRotation(cam.viewMatrix);
  const qRaw: Quat = [scene.rotations[i * 4], scene.rotations[i * 4 + 1], scene.rotations[i * 4 + 2], scene.rotations[i * 4 + 3]];
  const R = quatToMat(normalizeQuat(qRaw).q);
  const s: Vec3 = [Math.exp(scene.logScales[i * 3]), Math.exp(scene.logScales[i * 3 + 1]), Math.exp(scene.logScales[i * 3 + 2])];
  const M: Mat3 = new Array(9);
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) M[r * 3 + c] = R[r * 3 + c] * s[c];
  const Sigma: Mat3 = new Array(9);
  for (let r = 0; r < 3; r++)
    for (let c = 0; c < 3; c++) Sigma[r * 3 + c] = M[r * 3] * M[c * 3] + M[r * 3 + 1] * M[c * 3 + 1] + M[r * 3 + 2] * M[c * 3 + 2];

  const limX = 1.3 * (0.5 * cam.width) / cam.fx;
  const limY = 1.3 * (0.5 * cam.height) / cam.fy;
  const txz = t[0] / z;
  const tyz = t[1] / z;
  const clampX = !(txz >= -limX && txz <= limX);
  const clampY = !(tyz >= -limY && tyz <= limY);
  const tx = Math.min(limX, Math.max(-limX, txz)) * z;
  const ty = Math.min(limY, Math.max(-limY, tyz)) * z;
  const J = [cam.fx / z, 0, (-cam.fx * tx) / (z * z), 0, cam.fy / z, (-cam.fy * ty) / (z * z)];
  const T = new Array(6);
  for (let r = 0; r < 2; r++)
    for (let c = 0; c < 3; c++) T[r * 3 + c] = J[r * 3] * W[c] + J[r * 3 + 1] * W[3 + c] + J[r * 3 + 2] * W[6 + c];
  // cov2d = T Σ Tᵀ + 0.3 I
  const TS = new Array(6);
  for (let r = 0; r < 2; r++)
    for (let c = 0; c < 3; c++) TS[r * 3 + c] = T[r * 3] * Sigma[c] + T[r * 3 + 1] * Sigma[3 + c] + T[r * 3 + 2] * Sigma[6 + c];
  const s00 = TS[0] * T[0] + TS[1] * T[1] + TS[2] * T[2] + LOW_PASS;
  const s01 = TS[0] * T[3] + TS[1] * T[4] + TS[2] * T[5];
  const s11 = TS[3] * T[3] + TS[4] * T[4] + TS[5] * T[5] + LOW_PASS;
  const det = s00 * s11 - s01 * s01;
  if (!(det > 0)) return { p: INVISIBLE, x: null };
  const conic: [number, number, number] = [s11 / det, -s01 / det, s00 / det];
  const mid = 0.5 * (s00 + s11);
  const lambda = mid + Math.sqrt(Math.max(0, mid * mid - det));
  const radius = Math.ceil(3 * Math.sqrt(lambda));
  const u = (cam.fx * t[0]) / z + cam.cx;
  const v = (cam.fy * t[1]) / z + cam.cy;
  if (!(u + radius > 0 && u - radius < cam.width && v + radius > 0 && v - radius < cam.height))
    return { p: INVISIBLE, x: null };
  const opacity = sigmoid(scene.opacities[i]);
  // Tiles: the box of the α ≥ 1/255 ellipse (squared Mahalanobis reach 2·ln(255·opacity)), a pixel of slack, inside
  // the 3σ square: pixels outside the ellipse skip the splat, so the tiles this leaves out would add nothing.
  const reach = Math.max(0, 2 * Math.log(255 * opacity));
  const rx = Math.min(radius, Math.ceil(Math.sqrt(reach * s00)) + 1);
  const ry = Math.min(radius, Math.ceil(Math.sqrt(reach * s11)) + 1);
  const { tileMin, tileMax } = tileRect(u, v, rx, ry, cam.width, cam.height);
  if (!(tileMax[0] > tileMin[0] && tileMax[1] > tileMin[1])) return { p: INVISIBLE, x: null };

  const { d: dir, len: dirLen } = viewDir(mean, cameraCentre(cam.viewMatrix));
  const K = shCoeffCount(scene.shDegree);
  const { color, raw } = evalSH(scene.shDegree, scene.sh, i * K * 3, dir);
  return {
    p: { visible: true, u, v, depth: z, conic, cov2d: [s00, s01, s11], radius, tileMin, tileMax, opacity, color },
    x: { t, W, R, s, M, Sigma, T, tx, ty, clampX, clampY, dir, dirLen, rawColor: raw },
  };
}

export function projectGaussian(scene: RefScene, i: number, cam: Camera, near = DEFAULT_NEAR): Projected {
  return projectInternal(scene, i, cam, near).p;
}

export function projectAll(scene: RefScene, cam: Camera, near = DEFAULT_NEAR): Projected[] {
  const out: Projected[] = [];
  for (let i = 0; i < scene.count; i++) out.push(projectGaussian(scene, i, cam, near));
  return out;
}

/** Gradients w.r.t. one Gaussian's 2D quantities (sums over all pixels). */
export interface Projected2DGrad {
  u: number;
  v: number;
  conic: [number, number, number];
  opacity: number; // w.r.t. the activated opacity
  color: Vec3;
  depth: number;
}

/** Gradient buffers for all parameters (f64, same layout as the scene). */
export interface SceneGrads {
  means: Float64Array;
  logScales: Float64Array;
  rotations: Float64Array;
  opacities: Float64Array;
  sh: Float64Array;
  features: Float64Array;
  /** dL/d(u, v) per Gaussian (N×2). */
  means2d: Float64Array;
}

export function zeroGrads(scene: RefScene): SceneGrads {
  const N = scene.count;
  return {
    means: new Float64Array(N * 3),
    logScales: new Float64Array(N * 3),
    rotations: new Float64Array(N * 4),
    opacities: new Float64Array(N),
    sh: new Float64Array(N * shCoeffCount(scene.shDegree) * 3),
    features: new Float64Array(N * (scene.featureDim ?? 0)),
    means2d: new Float64Array(N * 2),
  };
}

/** Backward of `projectGaussian`: accumulates into `out` for Gaussian `i`. */
export function projectBackward(
  scene: RefScene,
  i: number,
  cam: Camera,
  g: Projected2DGrad,
  out: SceneGrads,
  near = DEFAULT_NEAR,
): void {
  const { p, x } = projectInternal(scene, i, cam, near);
  if (!p.visible || !x) return;
  const { t, W, R, s, M, Sigma, T, tx, ty } = x;
  const z = t[2];
  const { fx, fy } = cam;
  out.means2d[i * 2] += g.u;
  out.means2d[i * 2 + 1] += g.v;

  // conic = inverse(cov2d): dCov = −Q·dQ·Q with the symmetric gradient dQ.
  const [a, b, c] = p.conic;
  const ga = g.conic[0], gb = 0.5 * g.conic[1], gc = g.conic[2];
  // Q·dQ
  const m00 = a * ga + b * gb, m01 = a * gb + b * gc, m10 = b * ga + c * gb, m11 = b * gb + c * gc;
  // −(Q·dQ)·Q, symmetric matrix gradient of cov2d
  const G00 = -(m00 * a + m01 * b);
  const G01 = -(m00 * b + m01 * c);
  const G11 = -(m10 * b + m11 * c);
  const Gm = [G00, G01, G01, G11];

  // dΣ3 = Tᵀ Gm T ; dT = 2 Gm T Σ3
  const GT = new Array(6);
  for (let r = 0; r < 2; r++) for (let k = 0; k < 3; k++) GT[r * 3 + k] = Gm[r * 2] * T[k] + Gm[r * 2 + 1] * T[3 + k];
  const dSigma: Mat3 = new Array(9);
  for (let r = 0; r < 3; r++) for (let k = 0; k < 3; k++) dSigma[r * 3 + k] = T[r] * GT[k] + T[3 + r] * GT[3 + k];
  const dT = new Array(6);
  for (let r = 0; r < 2; r++)
    for (let k = 0; k < 3; k++)
      dT[r * 3 + k] = 2 * (GT[r * 3] * Sigma[k] + GT[r * 3 + 1] * Sigma[3 + k] + GT[r * 3 + 2] * Sigma[6 + k]);
  // T = J W → dJ = dT Wᵀ
  const dJ = new Array(6);
  for (let r = 0; r < 2; r++)
    for (let k = 0; k < 3; k++) dJ[r * 3 + k] = dT[r * 3] * W[k * 3] + dT[r * 3 + 1] * W[k * 3 + 1] + dT[r * 3 + 2] * W[k * 3 + 2];
  const z2 = z * z, z3 = z2 * z;
  const dt: Vec3 = [0, 0, 0];
  dt[0] += x.clampX ? 0 : (-fx / z2) * dJ[2];
  dt[1] += x.clampY ? 0 : (-fy / z2) * dJ[5];
  dt[2] += (-fx / z2) * dJ[0] + (-fy / z2) * dJ[4] + ((2 * fx * tx) / z3) * dJ[2] + ((2 * fy * ty) / z3) * dJ[5];
  // mean2d and depth
  dt[0] += (fx / z) * g.u;
  dt[1] += (fy / z) * g.v;
  dt[2] += ((-fx * t[0]) / z2) * g.u + ((-fy * t[1]) / z2) * g.v + g.depth;
  // mean: t = W m + trans → dm = Wᵀ dt
  for (let k = 0; k < 3; k++) out.means[i * 3 + k] += W[k] * dt[0] + W[3 + k] * dt[1] + W[6 + k] * dt[2];

  // colour (SH) and its view-direction path
  const K = shCoeffCount(scene.shDegree);
  const dm = evalSHBackward(scene.shDegree, scene.sh, i * K * 3, x.dir, x.dirLen, x.rawColor, g.color, out.sh);
  for (let k = 0; k < 3; k++) out.means[i * 3 + k] += dm[k];

  // Σ3 = M Mᵀ, M = R S
  const dM: Mat3 = new Array(9);
  for (let r = 0; r < 3; r++)
    for (let k = 0; k < 3; k++)
      dM[r * 3 + k] = 2 * (dSigma[r * 3] * M[k] + dSigma[r * 3 + 1] * M[3 + k] + dSigma[r * 3 + 2] * M[6 + k]);
  const dR: Mat3 = new Array(9);
  for (let r = 0; r < 3; r++) for (let k = 0; k < 3; k++) dR[r * 3 + k] = dM[r * 3 + k] * s[k];
  for (let k = 0; k < 3; k++) {
    const ds = dM[k] * R[k] + dM[3 + k] * R[3 + k] + dM[6 + k] * R[6 + k];
    out.logScales[i * 3 + k] += ds * s[k];
  }
  const qRaw: Quat = [scene.rotations[i * 4], scene.rotations[i * 4 + 1], scene.rotations[i * 4 + 2], scene.rotations[i * 4 + 3]];
  const dq = quatToMatBackward(qRaw, dR);
  for (let k = 0; k < 4; k++) out.rotations[i * 4 + k] += dq[k];

  out.opacities[i] += g.opacity * p.opacity * (1 - p.opacity);
}
