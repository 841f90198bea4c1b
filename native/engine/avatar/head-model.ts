/**
 * The head-model interface shared by the built-in open head and FLAME: vertices from (shape, expression, joint pose)
 * with linear blend skinning (FLAME's formulation), a fixed triangle list, a UV layout and a landmark embedding that ties
 * MediaPipe face-mesh landmarks (468, +10 iris = 478) to barycentric points on the triangles.
 *
 * Model space: metres, right-handed, +x towards the subject's left, +y up, +z out of the face. A head facing an OpenCV
 * camera therefore has the camera rotation diag(1, −1, −1) (see CONVENTIONS.md). The head's rigid pose (rotation about
 * the model origin, translation) is applied on top of `evaluate`'s output by the caller: `p = R · v + t`.
 */
import { rodrigues } from './math';

/** Joints of every head model, FLAME's order: root (global), neck, jaw, left eye, right eye. Parents: −1, 0, 1, 1, 1. */
export const JOINT_NAMES = ['root', 'neck', 'jaw', 'leftEye', 'rightEye'] as const;
export type JointName = (typeof JOINT_NAMES)[number];
export const JOINT_COUNT = 5;

/** Landmark embedding: embedded point l is MediaPipe landmark `landmarkIndex[l]`, at barycentric coordinates on a triangle. */
export interface LandmarkEmbedding {
  landmarkIndex: Int32Array; // L
  triangle: Uint32Array; // L
  barycentric: Float32Array; // L × 3
}

/** UV layout: separate UV indexing (like OBJ's vt/ft), so seams don't split the position mesh. */
export interface UvLayout {
  coords: Float32Array; // U × 2, u right, v down, in [0, 1]
  triangles: Uint32Array; // T × 3, indices into coords, one UV triangle per mesh triangle
}

/** Joint rotations as axis-angle (radians), 3 per joint in JOINT_NAMES order. Missing = zero. */
export interface HeadParams {
  shape?: ArrayLike<number>;
  expression?: ArrayLike<number>;
  /** 15 numbers: root, neck, jaw, leftEye, rightEye axis-angles. */
  jointRotations?: ArrayLike<number>;
}

export interface HeadModel {
  readonly kind: 'open-head' | 'flame';
  readonly vertexCount: number;
  readonly triangles: Uint32Array;
  readonly uv: UvLayout | null;
  readonly shapeCount: number;
  readonly expressionCount: number;
  readonly landmarks: LandmarkEmbedding;
  /** Per-expression-coefficient clamp range [min, max] (learned from footage for the open head; ±3 for FLAME). */
  readonly expressionRange: Float32Array; // E × 2
  readonly data: SkinnedModelData;
  evaluate(params: HeadParams, out?: Float32Array): Float32Array;
}

/** Sparse joint regressor in CSR form: joint j = Σ_k weights[k] · v[indices[k]] for k in rowStart[j]..rowStart[j+1]. */
export interface SparseRegressor {
  rowStart: Int32Array; // J + 1
  indices: Int32Array;
  weights: Float64Array;
}

/** FLAME-style model data (all arrays row-major; directions laid out [vertex][xyz][component]). */
export interface SkinnedModelData {
  vTemplate: Float32Array; // V × 3
  shapeDirs: Float32Array; // V × 3 × S
  shapeCount: number;
  /**
   * Population spread of each shape coefficient (1 σ in coefficient units; absent = 1, as FLAME's PCA coefficients).
   * Fitters scale the shape prior by it: monocular footage cannot tell a wider head from a farther one, so how far
   * the fit may leave the template is a question of how much real heads vary.
   */
  shapeSigma?: Float32Array; // S
  exprDirs: Float32Array; // V × 3 × E
  exprCount: number;
  /** Pose correctives: V × 3 × 9(J−1), fed by (R_j − I) for joints 1.. (row-major 3×3). Null = none. */
  poseDirs: Float32Array | null;
  jRegressor: SparseRegressor;
  weights: Float32Array; // V × J
  parents: Int32Array; // J
  triangles: Uint32Array; // T × 3
}

/** Generic LBS head model over SkinnedModelData. */
export class SkinnedHeadModel implements HeadModel {
  readonly vertexCount: number;
  readonly triangles: Uint32Array;
  readonly shapeCount: number;
  readonly expressionCount: number;
  /** Joint rest positions from the template and their blend directions (J × 3, J × 3 × S, J × 3 × E). */
  readonly jointTemplate: Float64Array;
  readonly jointShapeDirs: Float64Array;
  readonly jointExprDirs: Float64Array;

  constructor(
    readonly kind: 'open-head' | 'flame',
    readonly data: SkinnedModelData,
    readonly uv: UvLayout | null,
    readonly landmarks: LandmarkEmbedding,
    readonly expressionRange: Float32Array,
  ) {
    this.vertexCount = data.vTemplate.length / 3;
    this.triangles = data.triangles;
    this.shapeCount = data.shapeCount;
    this.expressionCount = data.exprCount;
    const J = data.parents.length;
    this.jointTemplate = new Float64Array(J * 3);
    this.jointShapeDirs = new Float64Array(J * 3 * data.shapeCount);
    this.jointExprDirs = new Float64Array(J * 3 * data.exprCount);
    const { rowStart, indices, weights } = data.jRegressor;
    for (let j = 0; j < J; j++) {
      for (let k = rowStart[j]!; k < rowStart[j + 1]!; k++) {
        const v = indices[k]!, w = weights[k]!;
        for (let c = 0; c < 3; c++) {
          this.jointTemplate[j * 3 + c]! += w * data.vTemplate[v * 3 + c]!;
          for (let s = 0; s < data.shapeCount; s++)
            this.jointShapeDirs[(j * 3 + c) * data.shapeCount + s]! += w * data.shapeDirs[(v * 3 + c) * data.shapeCount + s]!;
          for (let e = 0; e < data.exprCount; e++)
            this.jointExprDirs[(j * 3 + c) * data.exprCount + e]! += w * data.exprDirs[(v * 3 + c) * data.exprCount + e]!;
        }
      }
    }
  }

  /** Joint rest positions for (shape, expression): J × 3. */
  joints(shape: ArrayLike<number> | undefined, expression: ArrayLike<number> | undefined, out: Float64Array = new Float64Array(this.jointTemplate.length)): Float64Array {
    const S = this.shapeCount, E = this.expressionCount;
    for (let i = 0; i < out.length; i++) {
      let x = this.jointTemplate[i]!;
      if (shape) for (let s = 0; s < Math.min(S, shape.length); s++) x += this.jointShapeDirs[i * S + s]! * shape[s]!;
      if (expression) for (let e = 0; e < Math.min(E, expression.length); e++) x += this.jointExprDirs[i * E + e]! * expression[e]!;
      out[i] = x;
    }
    return out;
  }

  evaluate(params: HeadParams, out = new Float32Array(this.vertexCount * 3)): Float32Array {
    const all = new Int32Array(this.vertexCount);
    for (let i = 0; i < all.length; i++) all[i] = i;
    const ev = new SubsetEvaluator(this, all);
    const pts = ev.evaluate(params);
    for (let i = 0; i < pts.length; i++) out[i] = pts[i]!;
    return out;
  }
}

/** Rigid transforms of each joint for given rest joints and rotations (FLAME's batch_rigid_transform). */
export interface JointTransforms {
  R: Float64Array; // J × 9 world rotations
  t: Float64Array; // J × 3: x' = R_j x + t_j (rest joint removed)
  P: Float64Array; // J × 3 posed joint positions
  local: Float64Array; // J × 9 local rotations
}

export function jointTransforms(parents: Int32Array, restJoints: ArrayLike<number>, jointRotations: ArrayLike<number> | undefined): JointTransforms {
  const J = parents.length;
  const local = new Float64Array(J * 9), R = new Float64Array(J * 9), t = new Float64Array(J * 3), P = new Float64Array(J * 3);
  const tmp = new Float64Array(9);
  for (let j = 0; j < J; j++) {
    const ax = jointRotations?.[j * 3] ?? 0, ay = jointRotations?.[j * 3 + 1] ?? 0, az = jointRotations?.[j * 3 + 2] ?? 0;
    rodrigues(ax, ay, az, tmp);
    local.set(tmp, j * 9);
    const p = parents[j]!;
    if (p < 0) {
      R.set(tmp, j * 9);
      for (let c = 0; c < 3; c++) P[j * 3 + c] = restJoints[j * 3 + c]!;
    } else {
      for (let a = 0; a < 3; a++)
        for (let b = 0; b < 3; b++)
          R[j * 9 + a * 3 + b] = R[p * 9 + a * 3]! * tmp[b]! + R[p * 9 + a * 3 + 1]! * tmp[3 + b]! + R[p * 9 + a * 3 + 2]! * tmp[6 + b]!;
      const d0 = restJoints[j * 3]! - restJoints[p * 3]!, d1 = restJoints[j * 3 + 1]! - restJoints[p * 3 + 1]!, d2 = restJoints[j * 3 + 2]! - restJoints[p * 3 + 2]!;
      for (let a = 0; a < 3; a++) P[j * 3 + a] = P[p * 3 + a]! + R[p * 9 + a * 3]! * d0 + R[p * 9 + a * 3 + 1]! * d1 + R[p * 9 + a * 3 + 2]! * d2;
    }
    for (let a = 0; a < 3; a++)
      t[j * 3 + a] = P[j * 3 + a]! - (R[j * 9 + a * 3]! * restJoints[j * 3]! + R[j * 9 + a * 3 + 1]! * restJoints[j * 3 + 1]! + R[j * 9 + a * 3 + 2]! * restJoints[j * 3 + 2]!);
  }
  return { R, t, P, local };
}

/**
 * Evaluates a subset of vertices quickly (the fitter uses the landmark triangles' vertices) and gives exact derivatives
 * with respect to shape and expression (the map is affine in them for fixed joint rotations).
 */
export class SubsetEvaluator {
  readonly n: number;
  private readonly tmpl: Float64Array;
  private readonly sdirs: Float64Array;
  private readonly edirs: Float64Array;
  private readonly pdirs: Float64Array | null;
  private readonly wIdx: Int32Array; // n × J joint ids (−1 = none)
  private readonly wVal: Float64Array;
  readonly P: number; // pose-corrective count
  /** Cached blended (shaped + expressed) vertices and rest joints after `blend`. */
  readonly shaped: Float64Array;
  readonly restJoints: Float64Array;

  constructor(readonly model: SkinnedHeadModel, readonly vertices: Int32Array) {
    const d = model.data, n = vertices.length, S = d.shapeCount, E = d.exprCount, J = d.parents.length;
    this.n = n;
    this.tmpl = new Float64Array(n * 3);
    this.sdirs = new Float64Array(n * 3 * S);
    this.edirs = new Float64Array(n * 3 * E);
    this.P = d.poseDirs ? d.poseDirs.length / (model.vertexCount * 3) : 0;
    this.pdirs = d.poseDirs ? new Float64Array(n * 3 * this.P) : null;
    this.wIdx = new Int32Array(n * J).fill(-1);
    this.wVal = new Float64Array(n * J);
    for (let i = 0; i < n; i++) {
      const v = vertices[i]!;
      for (let c = 0; c < 3; c++) {
        this.tmpl[i * 3 + c] = d.vTemplate[v * 3 + c]!;
        for (let s = 0; s < S; s++) this.sdirs[(i * 3 + c) * S + s] = d.shapeDirs[(v * 3 + c) * S + s]!;
        for (let e = 0; e < E; e++) this.edirs[(i * 3 + c) * E + e] = d.exprDirs[(v * 3 + c) * E + e]!;
        if (this.pdirs) for (let p = 0; p < this.P; p++) this.pdirs[(i * 3 + c) * this.P + p] = d.poseDirs![(v * 3 + c) * this.P + p]!;
      }
      let k = 0;
      for (let j = 0; j < J; j++) {
        const w = d.weights[v * J + j]!;
        if (w !== 0) { this.wIdx[i * J + k] = j; this.wVal[i * J + k] = w; k++; }
      }
    }
    this.shaped = new Float64Array(n * 3);
    this.restJoints = new Float64Array(J * 3);
  }

  /** Blend shapes: fills `shaped` and `restJoints`. */
  blend(shape: ArrayLike<number> | undefined, expression: ArrayLike<number> | undefined): void {
    const S = this.model.shapeCount, E = this.model.expressionCount;
    const ns = shape ? Math.min(S, shape.length) : 0, ne = expression ? Math.min(E, expression.length) : 0;
    for (let r = 0; r < this.n * 3; r++) {
      let x = this.tmpl[r]!;
      for (let s = 0; s < ns; s++) x += this.sdirs[r * S + s]! * shape![s]!;
      for (let e = 0; e < ne; e++) x += this.edirs[r * E + e]! * expression![e]!;
      this.shaped[r] = x;
    }
    this.model.joints(shape, expression, this.restJoints);
  }

  /** Poses the cached blend with joint rotations; returns n × 3 and the transforms used. */
  pose(jointRotations: ArrayLike<number> | undefined, out = new Float64Array(this.n * 3)): { points: Float64Array; tf: JointTransforms } {
    const d = this.model.data, J = d.parents.length;
    const tf = jointTransforms(d.parents, this.restJoints, jointRotations);
    let feat: Float64Array | null = null;
    if (this.pdirs) {
      feat = new Float64Array(this.P);
      for (let j = 1; j < J && (j - 1) * 9 < this.P; j++)
        for (let k = 0; k < 9; k++) feat[(j - 1) * 9 + k] = tf.local[j * 9 + k]! - (k % 4 === 0 ? 1 : 0);
    }
    for (let i = 0; i < this.n; i++) {
      let x = this.shaped[i * 3]!, y = this.shaped[i * 3 + 1]!, z = this.shaped[i * 3 + 2]!;
      if (feat) {
        const P = this.P;
        for (let p = 0; p < P; p++) {
          const f = feat[p]!;
          if (f === 0) continue;
          x += this.pdirs![(i * 3) * P + p]! * f;
          y += this.pdirs![(i * 3 + 1) * P + p]! * f;
          z += this.pdirs![(i * 3 + 2) * P + p]! * f;
        }
      }
      let ox = 0, oy = 0, oz = 0;
      for (let k = 0; k < J; k++) {
        const j = this.wIdx[i * J + k]!;
        if (j < 0) break;
        const w = this.wVal[i * J + k]!, R = tf.R, o = j * 9;
        ox += w * (R[o]! * x + R[o + 1]! * y + R[o + 2]! * z + tf.t[j * 3]!);
        oy += w * (R[o + 3]! * x + R[o + 4]! * y + R[o + 5]! * z + tf.t[j * 3 + 1]!);
        oz += w * (R[o + 6]! * x + R[o + 7]! * y + R[o + 8]! * z + tf.t[j * 3 + 2]!);
      }
      out[i * 3] = ox; out[i * 3 + 1] = oy; out[i * 3 + 2] = oz;
    }
    return { points: out, tf };
  }

  evaluate(params: HeadParams): Float64Array {
    this.blend(params.shape, params.expression);
    return this.pose(params.jointRotations).points;
  }

  /**
   * Exact derivative of the posed subset with respect to blend coefficients (`which` = 'shape' | 'expression'),
   * columns [first, first + count): out is n × 3 × count. Uses the transforms of the last `pose` call.
   */
  blendJacobian(which: 'shape' | 'expression', first: number, count: number, tf: JointTransforms, out: Float64Array): void {
    const d = this.model.data, J = d.parents.length, parents = d.parents;
    const K = which === 'shape' ? this.model.shapeCount : this.model.expressionCount;
    const dirs = which === 'shape' ? this.sdirs : this.edirs;
    const jdirs = which === 'shape' ? this.model.jointShapeDirs : this.model.jointExprDirs;
    const dJ = new Float64Array(J * 3), dP = new Float64Array(J * 3), dt = new Float64Array(J * 3);
    for (let c = 0; c < count; c++) {
      const k = first + c;
      for (let j = 0; j < J; j++) for (let a = 0; a < 3; a++) dJ[j * 3 + a] = jdirs[(j * 3 + a) * K + k]!;
      for (let j = 0; j < J; j++) {
        const p = parents[j]!;
        if (p < 0) for (let a = 0; a < 3; a++) dP[j * 3 + a] = dJ[j * 3 + a]!;
        else {
          const d0 = dJ[j * 3]! - dJ[p * 3]!, d1 = dJ[j * 3 + 1]! - dJ[p * 3 + 1]!, d2 = dJ[j * 3 + 2]! - dJ[p * 3 + 2]!;
          for (let a = 0; a < 3; a++) dP[j * 3 + a] = dP[p * 3 + a]! + tf.R[p * 9 + a * 3]! * d0 + tf.R[p * 9 + a * 3 + 1]! * d1 + tf.R[p * 9 + a * 3 + 2]! * d2;
        }
        for (let a = 0; a < 3; a++)
          dt[j * 3 + a] = dP[j * 3 + a]! - (tf.R[j * 9 + a * 3]! * dJ[j * 3]! + tf.R[j * 9 + a * 3 + 1]! * dJ[j * 3 + 1]! + tf.R[j * 9 + a * 3 + 2]! * dJ[j * 3 + 2]!);
      }
      for (let i = 0; i < this.n; i++) {
        const x = dirs[(i * 3) * K + k]!, y = dirs[(i * 3 + 1) * K + k]!, z = dirs[(i * 3 + 2) * K + k]!;
        let ox = 0, oy = 0, oz = 0;
        for (let q = 0; q < J; q++) {
          const j = this.wIdx[i * J + q]!;
          if (j < 0) break;
          const w = this.wVal[i * J + q]!, R = tf.R, o = j * 9;
          ox += w * (R[o]! * x + R[o + 1]! * y + R[o + 2]! * z + dt[j * 3]!);
          oy += w * (R[o + 3]! * x + R[o + 4]! * y + R[o + 5]! * z + dt[j * 3 + 1]!);
          oz += w * (R[o + 6]! * x + R[o + 7]! * y + R[o + 8]! * z + dt[j * 3 + 2]!);
        }
        out[(i * 3) * count + c] = ox; out[(i * 3 + 1) * count + c] = oy; out[(i * 3 + 2) * count + c] = oz;
      }
    }
  }
}

/** Vertices referenced by an embedding's triangles, and for each embedded point its three subset slots. */
export function landmarkSubset(model: HeadModel, subsetOf?: Int32Array): { vertices: Int32Array; slots: Int32Array } {
  const L = model.landmarks.triangle.length;
  const map = new Map<number, number>();
  const vertices: number[] = [];
  const slots = new Int32Array(L * 3);
  for (let l = 0; l < L; l++) {
    if (subsetOf && !subsetOf.includes(l)) continue;
    const t = model.landmarks.triangle[l]!;
    for (let k = 0; k < 3; k++) {
      const v = model.triangles[t * 3 + k]!;
      let s = map.get(v);
      if (s === undefined) { s = vertices.length; map.set(v, s); vertices.push(v); }
      slots[l * 3 + k] = s;
    }
  }
  return { vertices: Int32Array.from(vertices), slots };
}
