/**
 * The trained avatar's head, evaluated in TS as the trainer does (train-avatar.worker.ts): the open head built from
 * the capture's stored expression space, the fitted shape, and per frame the fitted expression, jaw and eye joint
 * rotations and rigid pose (vertices = R · evaluate(head) + t, in the capture camera's OpenCV space).
 *
 * The viewport's world is the head model's own space (metres, +y up, the face looking along +z). A fit's rigid pose
 * maps model space to the OpenCV camera, where a frontal head has R = diag(1, −1, −1) (fitting/fit.ts starts there);
 * so the pose is shown relative to that: world = F·(R·v + t − t̄) with F = diag(1, −1, −1) and t̄ the mean fitted
 * translation — the head turns and moves as in the footage while staying where the orbit camera looks.
 */
import type { OpenHead } from './open-head/build';
import { HeadPosing, type Correctives } from './lbs-backward';
import { applyTrackedPose, meanTranslation } from './tracked-pose';
import { openHeadFor, type StoredExpressionSpace } from './open-head/stored-space';

/** One tracked frame of `tracking/<cam>/fit.json`. */
export interface FitFrame {
  idx: number;
  rotation: number[];
  translation: number[];
  expression: number[];
  jaw: number[];
  /** Left eye then right eye axis-angles (6). */
  eyes: number[];
  errorPx?: number;
}
export interface FitFile {
  headModel: string;
  shape: number[];
  intrinsics: { fx: number; fy: number; cx: number; cy: number };
  frames: FitFrame[];
}

/** What drives the head: expression coefficients, jaw and eye axis-angles, and an optional rigid pose. */
export interface HeadState {
  expression: number[];
  jaw: [number, number, number];
  eyes: number[];
  pose: { rotation: number[]; translation: number[] } | null;
}

/** Jaw opening (rotation about the model's x axis) shown by the slider, radians. */
export const JAW_OPEN_MAX = 0.5;

export class HeadRig {
  readonly model: OpenHead;
  readonly shape: number[];
  /** Expression clamp per component: [min, max] pairs (the range stored with the expression space). */
  readonly range: Float32Array;
  readonly expressionCount: number;
  /** Mean fitted translation (t̄), so the posed head stays near the model-space origin. */
  private meanTranslation: [number, number, number] = [0, 0, 0];
  private scratch: Float32Array<ArrayBuffer>;

  /** The run's learnt corrective blend shapes (head tuning), posed exactly as the trainer poses them; null = none. */
  private readonly correctives: { posing: HeadPosing; values: Correctives } | null;

  constructor(space: StoredExpressionSpace, fit: FitFile | null, correctives: Correctives | null = null) {
    if (!Array.isArray(space.mean) || !Array.isArray(space.basis) || !(space.count >= 0)) throw new Error('The expression space file is malformed.');
    this.model = openHeadFor(space);
    this.shape = fit?.shape ?? [];
    this.range = this.model.expressionRange;
    this.expressionCount = this.model.expressionCount;
    this.scratch = new Float32Array(this.model.vertexCount * 3);
    const posing = correctives ? new HeadPosing(this.model) : null;
    if (posing && correctives && correctives.expression && correctives.expression.length !== posing.V * 3 * posing.E)
      throw new Error(`head-tuning.bin does not fit this head: ${correctives.expression.length} expression corrective values for ${posing.V} vertices × ${posing.E} components.`);
    this.correctives = posing && correctives ? { posing, values: correctives } : null;
    if (fit && fit.frames.length) this.meanTranslation = meanTranslation(fit.frames);
  }

  neutral(): HeadState {
    return { expression: new Array(this.expressionCount).fill(0), jaw: [0, 0, 0], eyes: [0, 0, 0, 0, 0, 0], pose: null };
  }

  /** The state of a tracked frame (expression clamped to the stored range, as the fit does). */
  fromFit(frame: FitFrame): HeadState {
    const expression = Array.from({ length: this.expressionCount }, (_, k) => this.clampExpression(k, frame.expression[k] ?? 0));
    return {
      expression,
      jaw: [frame.jaw[0] ?? 0, frame.jaw[1] ?? 0, frame.jaw[2] ?? 0],
      eyes: Array.from({ length: 6 }, (_, k) => frame.eyes[k] ?? 0),
      pose: { rotation: frame.rotation.slice(0, 3), translation: frame.translation.slice(0, 3) },
    };
  }

  clampExpression(k: number, value: number): number {
    const lo = this.range[k * 2] ?? -3, hi = this.range[k * 2 + 1] ?? 3;
    return Math.min(hi, Math.max(lo, value));
  }

  private withCorrectives(expression: number[], joints: Float64Array): Float32Array {
    const { posing, values } = this.correctives!;
    const st = posing.forward({ shape: this.shape, expression, jointRotations: joints, rotation: [1, 0, 0, 0, 1, 0, 0, 0, 1], translation: [0, 0, 0] }, values);
    this.scratch.set(st.skinned);
    return this.scratch;
  }

  /** Posed vertices (V×3) in viewport world space; `applyPose` false holds the head frontal at the origin. */
  vertices(state: HeadState, applyPose: boolean, out: Float32Array = new Float32Array(this.model.vertexCount * 3)): Float32Array {
    const joints = new Float64Array(15);
    joints.set(state.jaw, 6);
    joints.set(state.eyes.slice(0, 6), 9);
    const v = this.correctives
      ? this.withCorrectives(state.expression, joints)
      : this.model.evaluate({ shape: this.shape, expression: state.expression, jointRotations: joints }, this.scratch);
    out.set(v);
    return applyPose && state.pose ? applyTrackedPose(out, state.pose.rotation, state.pose.translation, this.meanTranslation) : out;
  }
}

/**
 * Where the orbit camera starts: in front of the face (+z) looking at the neutral head's bounding-box centre, far
 * enough for the whole head and neck to fit the vertical field of view `fovDeg` with a margin.
 */
export function homeView(rig: HeadRig, fovDeg: number): { target: [number, number, number]; distance: number } {
  const b = bounds(rig.vertices(rig.neutral(), false));
  return { target: b.centre, distance: (b.radius / Math.tan((fovDeg / 2) * (Math.PI / 180))) * 1.6 };
}

/** Axis-aligned bounds of V×3 vertices: centre and the largest half-extent. */
export function bounds(v: ArrayLike<number>): { centre: [number, number, number]; radius: number } {
  const lo = [Infinity, Infinity, Infinity], hi = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < v.length; i += 3)
    for (let k = 0; k < 3; k++) {
      lo[k] = Math.min(lo[k], v[i + k]);
      hi[k] = Math.max(hi[k], v[i + k]);
    }
  return { centre: [(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2, (lo[2] + hi[2]) / 2], radius: Math.max(hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]) / 2 };
}
