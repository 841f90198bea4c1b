/**
 * The tracking job's optional photometric step: after the landmark fit of one camera, each frame's head pose, then its
 * pose with the expression coefficients and the jaw opening, are refined through the GPU engine against the appearance
 * of the most frontal, best-fitting frame (`native/engine/avatar/fitting/photometric-refine.ts`). Frames are decoded
 * again one at a time.
 */
import type { CaptureFitResult } from '@engine/avatar/fitting/fit';
import { chooseKeyframes, type RefineFrame, type RigidPose } from '@engine/avatar/fitting/photometric-refine';
import type { HeadModel } from '@engine/avatar/head-model';
import { headModelToWire } from '@engine/avatar/head-model-wire';
import type { GpuJobs } from '@engine/host/gpu-jobs';
import type { GpuSession } from '@engine/host/gpu-sessions';
import { readImage } from './image';

export interface PhotometricSummary {
  /** Per fitted frame (same order as `fit.frames`): the refined pose, or null where the frame could not be read. */
  frames: ((RigidPose & { expression: number[]; jaw: [number, number, number]; lossBefore: number; lossAfter: number }) | null)[];
  /** Indices into `fit.frames` of the appearance keyframes. */
  keyframes: number[];
  msPerFrame: number;
  /** Why the step did not run (no GPU adapter, no usable keyframe); the landmark poses stand. */
  skipped?: string;
}

function refineFrame(fit: CaptureFitResult, k: number, file: string, landmarks: Float32Array): RefineFrame {
  const fr = fit.frames[k]!;
  const joints = new Float64Array(15);
  joints.set(fr.jaw, 6);
  joints[9] = fr.eyes[0]; joints[10] = fr.eyes[1]; joints[12] = fr.eyes[3]; joints[13] = fr.eyes[4];
  const img = readImage(file);
  return {
    image: img,
    landmarks, stride: 3,
    pose: { rotation: fr.rotation, translation: fr.translation },
    params: { shape: fit.shape, expression: fr.expression, jointRotations: joints },
  };
}

export async function refineCameraFit(
  model: HeadModel,
  fit: CaptureFitResult,
  frames: { file: string; landmarks: Float32Array }[],
  progress: (fraction: number, stage: string) => void,
  signal: AbortSignal,
  gpu: GpuJobs,
): Promise<PhotometricSummary> {
  const keys = chooseKeyframes(fit.frames, 1);
  const none = (skipped: string): PhotometricSummary => ({ frames: fit.frames.map(() => null), keyframes: [], msPerFrame: 0, skipped });
  if (keys.length === 0) return none('Photometric refinement skipped: no frame faces the camera with a good landmark fit.');
  progress(0, 'Refining head poses: starting the GPU');
  let refiner: GpuSession<'refine'>;
  try {
    // the joint expression + jaw stage: the detector's mouth is where landmark fits go wrong. One render per
    // coefficient per iteration, so only the leading components of the subject's learned space (those carry most of the motion)
    refiner = await gpu.open('refine', { model: headModelToWire(model), options: { intrinsics: fit.intrinsics, nonRigid: { iterations: 3, expressions: 8 } } });
  } catch (err) {
    return none(`Photometric refinement skipped: no GPU adapter (${(err as Error).message}). The landmark poses are kept.`);
  }
  try {
    progress(0.02, 'Refining head poses: appearance from the keyframe');
    await refiner.buildAppearance(keys.map((k) => refineFrame(fit, k, frames[k]!.file, frames[k]!.landmarks)));
    const out: PhotometricSummary['frames'] = [];
    const t0 = performance.now();
    for (const [k, f] of frames.entries()) {
      if (signal.aborted) throw Object.assign(new Error('Tracking was cancelled.'), { name: 'AbortError' });
      let rf: RefineFrame;
      try {
        rf = refineFrame(fit, k, f.file, f.landmarks);
      } catch {
        out.push(null);
        continue;
      }
      const r = await refiner.refine(rf, signal);
      const jr = r.params.jointRotations;
      out.push({
        ...r.pose,
        expression: Array.from(r.params.expression ?? fit.frames[k]!.expression),
        jaw: jr ? [jr[6]!, jr[7]!, jr[8]!] : fit.frames[k]!.jaw,
        lossBefore: r.lossBefore, lossAfter: r.lossAfter,
      });
      progress(0.05 + (0.95 * (k + 1)) / frames.length, `Refining head poses: ${k + 1} of ${frames.length} frames`);
    }
    return { frames: out, keyframes: keys, msPerFrame: (performance.now() - t0) / Math.max(1, frames.length) };
  } finally {
    await refiner.close();
  }
}
