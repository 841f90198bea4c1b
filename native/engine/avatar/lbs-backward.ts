/**
 * Differentiable posing of a skinned head model on the CPU (f64): the model's LBS (head-model.ts: blend shapes, joint
 * regressor, base pose correctives, the 5-joint chain, skinning) followed by the rigid pose p = R·v + t, with optional
 * per-subject corrective blend shapes, and its reverse-mode gradient (a vector–Jacobian product) from dL/dp (V×3) to
 * the expression, every joint's axis-angle, the rigid rotation matrix and translation, and the correctives.
 *
 * Correctives (FATE Eq. 5, `shared/research/fate.md` §2.1): vertex offsets added before skinning,
 *   ΔE · ψ            (V×3×E, linear in the expression coefficients), and
 *   ΔP · f(θ)          (V×3×9K, linear in the pose features f = (R_j − I) of K chosen joints, row-major, like FLAME's
 *                       pose correctives). The joint regressor stays the model's (joints do not move with ΔE), so the
 *                       skeleton is the one the landmark fitter tracked.
 * With zero correctives the forward equals `model.evaluate` + the rigid pose.
 */
import type { HeadModel } from './head-model';
import { jointTransforms, type JointTransforms } from './head-model';
import { rodrigues } from './math';

/** Per-subject correctives (null = none). `pose` has 9 columns per joint of `poseJoints`, in that order. */
export interface Correctives {
  expression: Float32Array | null; // V × 3 × E
  pose: Float32Array | null; // V × 3 × 9·poseJoints.length
  poseJoints: readonly number[];
}

export interface PoseInput {
  shape?: ArrayLike<number>;
  expression?: ArrayLike<number>;
  /** 3 per joint (axis-angle), JOINT_NAMES order; missing = zero. */
  jointRotations?: ArrayLike<number>;
  /** Rigid rotation, row-major 3×3. */
  rotation: ArrayLike<number>;
  translation: ArrayLike<number>;
}

/** What `backward` needs from a `forward`. */
export interface PoseState {
  input: PoseInput;
  /** Blended rest-space vertices (template + shape + expression + correctives), V×3. */
  rest: Float64Array;
  /** Skinned model-space vertices (before the rigid pose), V×3. */
  skinned: Float64Array;
  restJoints: Float64Array;
  tf: JointTransforms;
  /** Corrective pose features (9 per corrective joint). */
  features: Float64Array;
  /** World vertices, V×3. */
  vertices: Float64Array;
}

export interface PoseGradients {
  expression: Float64Array; // E
  jointRotations: Float64Array; // 3J
  rotation: Float64Array; // 9: dL/dR (row-major)
  translation: Float64Array; // 3
  /** dL/d(rest vertex), V×3: the corrective gradients are its outer products with ψ and f. */
  rest: Float64Array;
}

/** Σ_ab M_ab · ∂Rod(w)_ab/∂w_k for k = 0..2: the gradient of <M, Rod(w)> with respect to the axis-angle w (exact). */
export function rodriguesVjp(w: ArrayLike<number>, M: ArrayLike<number>, out: Float64Array = new Float64Array(3)): Float64Array {
  const x = w[0]!, y = w[1]!, z = w[2]!;
  const th2 = x * x + y * y + z * z, th = Math.sqrt(th2);
  // R = I + a K + b K², K = [w]×; α = a'(θ)/θ, β = b'(θ)/θ (series below 1e-3 rad).
  let a: number, b: number, al: number, be: number;
  if (th < 1e-3) {
    a = 1 - th2 / 6; b = 0.5 - th2 / 24; al = -1 / 3 + th2 / 30; be = -1 / 12 + th2 / 180;
  } else {
    const s = Math.sin(th), c = Math.cos(th);
    a = s / th; b = (1 - c) / th2; al = (th * c - s) / (th2 * th); be = (th * s - 2 * (1 - c)) / (th2 * th2);
  }
  const K = [0, -z, y, z, 0, -x, -y, x, 0];
  const K2 = new Float64Array(9);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) K2[i * 3 + j] = K[i * 3]! * K[j]! + K[i * 3 + 1]! * K[3 + j]! + K[i * 3 + 2]! * K[6 + j]!;
  // <M, K>, <M, K²>
  let mK = 0, mK2 = 0;
  for (let i = 0; i < 9; i++) { mK += M[i]! * K[i]!; mK2 += M[i]! * K2[i]!; }
  const wv = [x, y, z];
  for (let k = 0; k < 3; k++) {
    const Ek = k === 0 ? [0, 0, 0, 0, 0, -1, 0, 1, 0] : k === 1 ? [0, 0, 1, 0, 0, 0, -1, 0, 0] : [0, -1, 0, 1, 0, 0, 0, 0, 0];
    let mE = 0, mEK = 0;
    for (let i = 0; i < 9; i++) mE += M[i]! * Ek[i]!;
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++) {
        let ek = 0, ke = 0;
        for (let q = 0; q < 3; q++) { ek += Ek[i * 3 + q]! * K[q * 3 + j]!; ke += K[i * 3 + q]! * Ek[q * 3 + j]!; }
        mEK += M[i * 3 + j]! * (ek + ke);
      }
    out[k] = al * wv[k]! * mK + a * mE + be * wv[k]! * mK2 + b * mEK;
  }
  return out;
}

/** Forward (world vertices) and reverse-mode gradient of the posing of one head model. */
export class HeadPosing {
  readonly V: number;
  readonly J: number;
  readonly E: number;
  readonly S: number;
  /** Base pose-corrective feature count of the model (0 for the open head). */
  readonly basePoseCount: number;
  private readonly tmpl: Float64Array;
  private readonly sdirs: Float64Array;
  private readonly edirs: Float64Array;
  private readonly pdirs: Float64Array | null;
  private readonly wIdx: Int32Array; // V × J joint ids (−1 = none)
  private readonly wVal: Float64Array;
  private readonly parents: Int32Array;
  private readonly jTmpl: Float64Array; // J × 3
  private readonly jShape: Float64Array; // J × 3 × S
  private readonly jExpr: Float64Array; // J × 3 × E
  /** Template + shape blend of the last shape seen (a capture shares one shape: FLAME's 300 × V × 3 once, not per call). */
  private shaped: { shape: Float64Array; rest: Float64Array } | null = null;

  constructor(readonly model: HeadModel) {
    const d = model.data;
    const V = (this.V = d.vTemplate.length / 3), J = (this.J = d.parents.length), E = (this.E = d.exprCount), S = (this.S = d.shapeCount);
    this.parents = d.parents;
    this.tmpl = Float64Array.from(d.vTemplate);
    this.sdirs = Float64Array.from(d.shapeDirs);
    this.edirs = Float64Array.from(d.exprDirs);
    this.basePoseCount = d.poseDirs ? d.poseDirs.length / (V * 3) : 0;
    this.pdirs = d.poseDirs ? Float64Array.from(d.poseDirs) : null;
    this.wIdx = new Int32Array(V * J).fill(-1);
    this.wVal = new Float64Array(V * J);
    for (let v = 0; v < V; v++) {
      let k = 0;
      for (let j = 0; j < J; j++) {
        const w = d.weights[v * J + j]!;
        if (w !== 0) { this.wIdx[v * J + k] = j; this.wVal[v * J + k] = w; k++; }
      }
    }
    this.jTmpl = new Float64Array(J * 3);
    this.jShape = new Float64Array(J * 3 * S);
    this.jExpr = new Float64Array(J * 3 * E);
    const { rowStart, indices, weights } = d.jRegressor;
    for (let j = 0; j < J; j++)
      for (let k = rowStart[j]!; k < rowStart[j + 1]!; k++) {
        const v = indices[k]!, w = weights[k]!;
        for (let c = 0; c < 3; c++) {
          this.jTmpl[j * 3 + c]! += w * d.vTemplate[v * 3 + c]!;
          for (let s = 0; s < S; s++) this.jShape[(j * 3 + c) * S + s]! += w * d.shapeDirs[(v * 3 + c) * S + s]!;
          for (let e = 0; e < E; e++) this.jExpr[(j * 3 + c) * E + e]! += w * d.exprDirs[(v * 3 + c) * E + e]!;
        }
      }
  }

  forward(input: PoseInput, corr: Correctives | null = null): PoseState {
    const { V, J, E, S } = this;
    const shape = input.shape, expr = input.expression;
    const ns = shape ? Math.min(S, shape.length) : 0, ne = expr ? Math.min(E, expr.length) : 0;
    const restJoints = new Float64Array(J * 3);
    for (let i = 0; i < J * 3; i++) {
      let x = this.jTmpl[i]!;
      for (let s = 0; s < ns; s++) x += this.jShape[i * S + s]! * shape![s]!;
      for (let e = 0; e < ne; e++) x += this.jExpr[i * E + e]! * expr![e]!;
      restJoints[i] = x;
    }
    const tf = jointTransforms(this.parents, restJoints, input.jointRotations);
    const P = this.basePoseCount;
    const baseFeat = new Float64Array(P);
    for (let j = 1; j < J && (j - 1) * 9 < P; j++) for (let k = 0; k < 9; k++) baseFeat[(j - 1) * 9 + k] = tf.local[j * 9 + k]! - (k % 4 === 0 ? 1 : 0);
    const cj = corr?.pose ? corr.poseJoints : [];
    const C = cj.length * 9;
    const features = new Float64Array(C);
    cj.forEach((j, q) => { for (let k = 0; k < 9; k++) features[q * 9 + k] = tf.local[j * 9 + k]! - (k % 4 === 0 ? 1 : 0); });
    const dE = corr?.expression ?? null, dP = corr?.pose ?? null;
    const base = this.shapedTemplate(shape, ns);
    const rest = new Float64Array(V * 3);
    for (let r = 0; r < V * 3; r++) {
      let x = base[r]!;
      for (let e = 0; e < ne; e++) x += this.edirs[r * E + e]! * expr![e]!;
      if (dE) for (let e = 0; e < ne; e++) x += dE[r * E + e]! * expr![e]!;
      if (this.pdirs) for (let p = 0; p < P; p++) x += this.pdirs[r * P + p]! * baseFeat[p]!;
      if (dP) for (let p = 0; p < C; p++) x += dP[r * C + p]! * features[p]!;
      rest[r] = x;
    }
    const skinned = new Float64Array(V * 3), vertices = new Float64Array(V * 3);
    const Rg = input.rotation, tg = input.translation;
    for (let i = 0; i < V; i++) {
      const x = rest[i * 3]!, y = rest[i * 3 + 1]!, z = rest[i * 3 + 2]!;
      let ox = 0, oy = 0, oz = 0;
      for (let k = 0; k < J; k++) {
        const j = this.wIdx[i * J + k]!;
        if (j < 0) break;
        const w = this.wVal[i * J + k]!, R = tf.R, o = j * 9;
        ox += w * (R[o]! * x + R[o + 1]! * y + R[o + 2]! * z + tf.t[j * 3]!);
        oy += w * (R[o + 3]! * x + R[o + 4]! * y + R[o + 5]! * z + tf.t[j * 3 + 1]!);
        oz += w * (R[o + 6]! * x + R[o + 7]! * y + R[o + 8]! * z + tf.t[j * 3 + 2]!);
      }
      skinned[i * 3] = ox; skinned[i * 3 + 1] = oy; skinned[i * 3 + 2] = oz;
      for (let a = 0; a < 3; a++) vertices[i * 3 + a] = Rg[a * 3]! * ox + Rg[a * 3 + 1]! * oy + Rg[a * 3 + 2]! * oz + tg[a]!;
    }
    return { input, rest, skinned, restJoints, tf, features, vertices };
  }

  private shapedTemplate(shape: ArrayLike<number> | undefined, ns: number): Float64Array {
    const key = Float64Array.from({ length: ns }, (_, s) => shape![s]!);
    const c = this.shaped;
    if (c && c.shape.length === ns && c.shape.every((x, s) => x === key[s])) return c.rest;
    const { V, S } = this;
    const rest = new Float64Array(V * 3);
    for (let r = 0; r < V * 3; r++) {
      let x = this.tmpl[r]!;
      for (let s = 0; s < ns; s++) x += this.sdirs[r * S + s]! * key[s]!;
      rest[r] = x;
    }
    this.shaped = { shape: key, rest };
    return rest;
  }

  /**
   * dL/dvertices (V×3, world) → gradients. With `corr`, the expression and joint gradients include the correctives'
   * contribution (pass the same correctives as the forward).
   */
  backward(st: PoseState, g: ArrayLike<number>, corr: Correctives | null = null): PoseGradients {
    const { V, J, E } = this;
    const Rg = st.input.rotation;
    const gRot = new Float64Array(9), gTr = new Float64Array(3);
    const gR = new Float64Array(J * 9), gt = new Float64Array(J * 3);
    const gRest = new Float64Array(V * 3);
    const tf = st.tf;
    for (let i = 0; i < V; i++) {
      const gx = g[i * 3]!, gy = g[i * 3 + 1]!, gz = g[i * 3 + 2]!;
      gTr[0]! += gx; gTr[1]! += gy; gTr[2]! += gz;
      const m = [st.skinned[i * 3]!, st.skinned[i * 3 + 1]!, st.skinned[i * 3 + 2]!];
      const gv = [gx, gy, gz];
      for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) gRot[a * 3 + b]! += gv[a]! * m[b]!;
      // h = Rgᵀ g: gradient w.r.t. the skinned (model-space) vertex
      const hx = Rg[0]! * gx + Rg[3]! * gy + Rg[6]! * gz, hy = Rg[1]! * gx + Rg[4]! * gy + Rg[7]! * gz, hz = Rg[2]! * gx + Rg[5]! * gy + Rg[8]! * gz;
      const b0 = st.rest[i * 3]!, b1 = st.rest[i * 3 + 1]!, b2 = st.rest[i * 3 + 2]!;
      let ux = 0, uy = 0, uz = 0;
      for (let k = 0; k < J; k++) {
        const j = this.wIdx[i * J + k]!;
        if (j < 0) break;
        const w = this.wVal[i * J + k]!, R = tf.R, o = j * 9;
        const wx = w * hx, wy = w * hy, wz = w * hz;
        gt[j * 3]! += wx; gt[j * 3 + 1]! += wy; gt[j * 3 + 2]! += wz;
        gR[o]! += wx * b0; gR[o + 1]! += wx * b1; gR[o + 2]! += wx * b2;
        gR[o + 3]! += wy * b0; gR[o + 4]! += wy * b1; gR[o + 5]! += wy * b2;
        gR[o + 6]! += wz * b0; gR[o + 7]! += wz * b1; gR[o + 8]! += wz * b2;
        ux += R[o]! * wx + R[o + 3]! * wy + R[o + 6]! * wz;
        uy += R[o + 1]! * wx + R[o + 4]! * wy + R[o + 7]! * wz;
        uz += R[o + 2]! * wx + R[o + 5]! * wy + R[o + 8]! * wz;
      }
      gRest[i * 3] = ux; gRest[i * 3 + 1] = uy; gRest[i * 3 + 2] = uz;
    }
    // Rest vertices → expression (vertex part), pose features (base + corrective).
    const gExpr = new Float64Array(E);
    const ne = st.input.expression ? Math.min(E, st.input.expression.length) : 0;
    const P = this.basePoseCount;
    const gBase = new Float64Array(P);
    const dE = corr?.expression ?? null, dP = corr?.pose ?? null;
    const C = st.features.length;
    const gFeat = new Float64Array(C);
    for (let r = 0; r < V * 3; r++) {
      const u = gRest[r]!;
      if (u === 0) continue;
      for (let e = 0; e < ne; e++) gExpr[e]! += u * (this.edirs[r * E + e]! + (dE ? dE[r * E + e]! : 0));
      if (this.pdirs) for (let p = 0; p < P; p++) gBase[p]! += u * this.pdirs[r * P + p]!;
      if (dP) for (let p = 0; p < C; p++) gFeat[p]! += u * dP[r * C + p]!;
    }
    // Joint chain backward: t_j = P_j − R_j J_j; P_j = P_p + R_p (J_j − J_p); R_j = R_p L_j.
    const gP = new Float64Array(J * 3), gJ = new Float64Array(J * 3), gL = new Float64Array(J * 9);
    const J3 = st.restJoints;
    for (let j = 0; j < J; j++) {
      for (let a = 0; a < 3; a++) {
        const ga = gt[j * 3 + a]!;
        gP[j * 3 + a]! += ga;
        for (let b = 0; b < 3; b++) {
          gR[j * 9 + a * 3 + b]! -= ga * J3[j * 3 + b]!;
          gJ[j * 3 + b]! -= tf.R[j * 9 + a * 3 + b]! * ga;
        }
      }
    }
    for (let j = 1; j < J && (j - 1) * 9 < P; j++) for (let k = 0; k < 9; k++) gL[j * 9 + k]! += gBase[(j - 1) * 9 + k]!;
    if (dP) corr!.poseJoints.forEach((j, q) => { for (let k = 0; k < 9; k++) gL[j * 9 + k]! += gFeat[q * 9 + k]!; });
    for (let j = J - 1; j >= 0; j--) {
      const p = this.parents[j]!;
      if (p < 0) {
        for (let a = 0; a < 3; a++) gJ[j * 3 + a]! += gP[j * 3 + a]!;
        for (let k = 0; k < 9; k++) gL[j * 9 + k]! += gR[j * 9 + k]!;
        continue;
      }
      const Rp = tf.R.subarray(p * 9, p * 9 + 9), Lj = tf.local.subarray(j * 9, j * 9 + 9);
      const d = [J3[j * 3]! - J3[p * 3]!, J3[j * 3 + 1]! - J3[p * 3 + 1]!, J3[j * 3 + 2]! - J3[p * 3 + 2]!];
      for (let a = 0; a < 3; a++) {
        const ga = gP[j * 3 + a]!;
        gP[p * 3 + a]! += ga;
        for (let b = 0; b < 3; b++) gR[p * 9 + a * 3 + b]! += ga * d[b]!;
      }
      for (let b = 0; b < 3; b++) {
        const gd = Rp[b]! * gP[j * 3]! + Rp[3 + b]! * gP[j * 3 + 1]! + Rp[6 + b]! * gP[j * 3 + 2]!;
        gJ[j * 3 + b]! += gd;
        gJ[p * 3 + b]! -= gd;
      }
      // R_j = R_p L_j: gR_p += gR_j L_jᵀ, gL_j += R_pᵀ gR_j
      for (let a = 0; a < 3; a++)
        for (let b = 0; b < 3; b++) {
          let s1 = 0, s2 = 0;
          for (let q = 0; q < 3; q++) {
            s1 += gR[j * 9 + a * 3 + q]! * Lj[b * 3 + q]!;
            s2 += Rp[q * 3 + a]! * gR[j * 9 + q * 3 + b]!;
          }
          gR[p * 9 + a * 3 + b]! += s1;
          gL[j * 9 + a * 3 + b]! += s2;
        }
    }
    const gJoint = new Float64Array(J * 3);
    const rot = st.input.jointRotations;
    const tmp = new Float64Array(3);
    for (let j = 0; j < J; j++) {
      rodriguesVjp([rot?.[j * 3] ?? 0, rot?.[j * 3 + 1] ?? 0, rot?.[j * 3 + 2] ?? 0], gL.subarray(j * 9, j * 9 + 9), tmp);
      gJoint.set(tmp, j * 3);
    }
    for (let e = 0; e < ne; e++) {
      let s = 0;
      for (let r = 0; r < J * 3; r++) s += gJ[r]! * this.jExpr[r * E + e]!;
      gExpr[e]! += s;
    }
    return { expression: gExpr, jointRotations: gJoint, rotation: gRot, translation: gTr, rest: gRest };
  }
}

/** Row-major 3×3 rotation of `Rod(w) · R0` (a left-multiplied axis-angle correction of a base rotation). */
export function composeRotation(w: ArrayLike<number>, R0: ArrayLike<number>, out: Float64Array = new Float64Array(9)): Float64Array {
  const D = rodrigues(w[0]!, w[1]!, w[2]!);
  for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) out[a * 3 + b] = D[a * 3]! * R0[b]! + D[a * 3 + 1]! * R0[3 + b]! + D[a * 3 + 2]! * R0[6 + b]!;
  return out;
}

/** dL/dw of R = Rod(w)·R0 from dL/dR: <G, ∂Rod/∂w_k · R0> = <G R0ᵀ, ∂Rod/∂w_k>. */
export function composeRotationVjp(w: ArrayLike<number>, R0: ArrayLike<number>, G: ArrayLike<number>, out: Float64Array = new Float64Array(3)): Float64Array {
  const M = new Float64Array(9);
  for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) M[a * 3 + b] = G[a * 3]! * R0[b * 3]! + G[a * 3 + 1]! * R0[b * 3 + 1]! + G[a * 3 + 2]! * R0[b * 3 + 2]!;
  return rodriguesVjp(w, M, out);
}
