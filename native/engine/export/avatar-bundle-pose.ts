/**
 * Posing an avatar's head and Gaussians at one head state — a tracked frame (its expression, jaw and eyes), given
 * expression coefficients (clamped to the head's range) or neutral — the same way everywhere: the studio's exports
 * (`services/export/pose-avatar.ts`), the web player (`poseBundle` on a read bundle) and the viewport (HeadRig uses the
 * same two paths: `model.evaluate`, or `HeadPosing.forward(…).skinned` when the run learnt correctives).
 * Platform-neutral. World Gaussians come from the binding's CPU reference `deformReference` (f64, the GPU
 * `BindingDeformer`'s maths); a GPU renderer uploads `vertices` to its deformer instead.
 *
 * The head stays in its model space (metres, +y up, face along +z): the frame's rigid rotation/translation are
 * returned (`pose.rotation`, `pose.translation`, camera space of the capture) but not applied.
 */
import { misboundGaussian, type BoundGaussianData } from '../avatar/binding/bound-gaussians';
import type { HeadModel } from '../avatar/head-model';
import { HeadPosing, type Correctives } from '../avatar/lbs-backward';
import { deformReference, type DeformedRef } from '../reference/binding';
import { openHeadFor } from '../avatar/open-head/stored-space';
import type { AvatarBundle, BundleMotionFrame } from './avatar-bundle';

export type HeadPoseChoice = { frame: number } | { expression: ArrayLike<number> } | { neutral: true };

export interface ResolvedPose {
  /** The tracked frame posed, or null for an expression / neutral. */
  frame: number | null;
  /** The expression coefficients used (clamped to the head's range). */
  expression: number[];
  /** Axis-angles of the 5 joints (root, neck, jaw, eyes). */
  jointRotations: Float64Array;
  /** The frame's rigid head pose (axis-angle, metres), not applied to the vertices; null when not a frame. */
  rotation: number[] | null;
  translation: number[] | null;
}

/** A pose request that cannot be met (unknown frame, too many coefficients); the message says why. */
export class PoseChoiceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PoseChoiceError';
  }
}

export interface HeadPoserInput {
  model: HeadModel;
  shape: ArrayLike<number>;
  correctives: Correctives | null;
  frames: readonly BundleMotionFrame[] | null;
}

export class HeadPoser {
  readonly model: HeadModel;
  private readonly posing: HeadPosing | null;
  private readonly byIdx = new Map<number, BundleMotionFrame>();

  constructor(readonly input: HeadPoserInput) {
    this.model = input.model;
    const c = input.correctives;
    this.posing = c && (c.expression || c.pose) ? new HeadPosing(input.model) : null;
    if (this.posing && c?.expression && c.expression.length !== this.posing.V * 3 * this.posing.E)
      throw new PoseChoiceError(`The correctives do not fit this head: ${c.expression.length} expression corrective values for ${this.posing.V} vertices × ${this.posing.E} components.`);
    for (const f of input.frames ?? []) this.byIdx.set(f.idx, f);
  }

  /** Tracked frame indices, in file order. */
  get frameIndices(): number[] {
    return [...this.byIdx.keys()];
  }

  resolve(choice: HeadPoseChoice): ResolvedPose {
    const model = this.model, E = model.expressionCount;
    const clamp = (k: number, v: number) => Math.min(model.expressionRange[k * 2 + 1] ?? 3, Math.max(model.expressionRange[k * 2] ?? -3, v));
    const jointRotations = new Float64Array(15);
    if ('frame' in choice) {
      const f = this.byIdx.get(choice.frame);
      if (!f) {
        const have = this.frameIndices;
        throw new PoseChoiceError(`Frame ${choice.frame} has no tracked fit${have.length ? ` (tracked frames: ${have[0]}–${have.at(-1)})` : ': the avatar has no tracked motion'}.`);
      }
      for (let k = 0; k < 3; k++) jointRotations[6 + k] = f.jaw[k] ?? 0;
      for (let k = 0; k < 6; k++) jointRotations[9 + k] = f.eyes[k] ?? 0;
      const expression = Array.from({ length: E }, (_, k) => clamp(k, f.expression[k] ?? 0));
      return { frame: f.idx, expression, jointRotations, rotation: [...f.rotation], translation: [...f.translation] };
    }
    if ('expression' in choice) {
      if (choice.expression.length > E) throw new PoseChoiceError(`The expression has ${choice.expression.length} coefficients; this avatar's head has ${E}.`);
      return { frame: null, expression: Array.from({ length: E }, (_, k) => clamp(k, choice.expression[k] ?? 0)), jointRotations, rotation: null, translation: null };
    }
    return { frame: null, expression: new Array<number>(E).fill(0), jointRotations, rotation: null, translation: null };
  }

  /** Posed head vertices (V×3, model space) for a resolved pose. */
  verticesOf(pose: ResolvedPose, out = new Float32Array(this.model.vertexCount * 3)): Float32Array {
    if (this.posing) {
      const st = this.posing.forward(
        { shape: this.input.shape, expression: pose.expression, jointRotations: pose.jointRotations, rotation: [1, 0, 0, 0, 1, 0, 0, 0, 1], translation: [0, 0, 0] },
        this.input.correctives,
      );
      out.set(st.skinned);
      return out;
    }
    return this.model.evaluate({ shape: this.input.shape, expression: pose.expression, jointRotations: pose.jointRotations }, out);
  }

  vertices(choice: HeadPoseChoice): { vertices: Float32Array; pose: ResolvedPose } {
    const pose = this.resolve(choice);
    return { vertices: this.verticesOf(pose), pose };
  }

  /** World Gaussians (f64, NaN for Gaussians on degenerate triangles) and the posed vertices. */
  gaussians(bound: BoundGaussianData, choice: HeadPoseChoice): { cloud: DeformedRef; vertices: Float32Array; pose: ResolvedPose } {
    const misbound = misboundGaussian(bound, this.model.triangles);
    if (misbound) throw new PoseChoiceError(`The avatar does not fit this head: ${misbound}.`);
    const { vertices, pose } = this.vertices(choice);
    return { cloud: deformReference(bound, vertices, this.model.triangles), vertices, pose };
  }
}

export interface PoseBundleOptions {
  /** Which Gaussians: the trained ones (avatar.bin, default) or the baked ones (bake/baked-avatar.bin). */
  gaussians?: 'trained' | 'baked';
  /** For FLAME bundles: the FLAME model, which bundles never embed. */
  headModel?: HeadModel;
}

const posers = new WeakMap<AvatarBundle, Map<HeadModel | undefined, HeadPoser>>();

/** The (cached) poser of a read bundle: its head, shape, correctives and motion. */
export function bundlePoser(bundle: AvatarBundle, headModel?: HeadModel): HeadPoser {
  let byModel = posers.get(bundle);
  if (!byModel) posers.set(bundle, (byModel = new Map()));
  let poser = byModel.get(headModel);
  if (!poser) {
    const head = bundle.manifest.head;
    let model: HeadModel;
    if (head.kind === 'open-head') model = openHeadFor(bundle.expressionSpace!);
    else {
      if (!headModel) throw new PoseChoiceError(`${head.note} (${head.model.name}: ${head.model.identifier})`);
      if (headModel.vertexCount !== head.model.vertexCount) throw new PoseChoiceError(`The supplied head model has ${headModel.vertexCount} vertices; this bundle needs ${head.model.name} with ${head.model.vertexCount}.`);
      model = headModel;
    }
    poser = new HeadPoser({ model, shape: head.shape, correctives: bundle.correctives, frames: bundle.motion?.frames ?? null });
    byModel.set(headModel, poser);
  }
  return poser;
}

/** A bundle's avatar at a tracked frame, an expression or neutral: posed vertices and world Gaussians. */
export function poseBundle(bundle: AvatarBundle, choice: HeadPoseChoice, options: PoseBundleOptions = {}): { cloud: DeformedRef; vertices: Float32Array; pose: ResolvedPose } {
  const bound = options.gaussians === 'baked' ? bundle.bakedGaussians : bundle.gaussians;
  if (!bound) throw new PoseChoiceError('This bundle has no baked avatar (bake/baked-avatar.bin); pose the trained Gaussians instead.');
  return bundlePoser(bundle, options.headModel).gaussians(bound, choice);
}
