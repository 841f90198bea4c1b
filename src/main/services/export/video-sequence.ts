/**
 * The frames of a rendered export: per frame the posed head vertices and the engine camera. The head is posed by the
 * viewport's `HeadRig` (open head + fitted shape + the run's learnt correctives, exactly as the trainer and the
 * viewport pose it) and framed by the viewport's home view (same field of view, target and distance), so a video
 * frame is what the studio shows.
 *
 * - turntable: the camera orbits 360° about the head's vertical axis in `frames` steps (frame 0 = the home view),
 *   the head held at neutral or the given expression;
 * - tracked: the home camera, the head driven by every tracked frame of the capture's first camera in order (with the
 *   tracked rigid head motion when `headPose`).
 */
import type { Camera } from '@engine/splat/camera';
import { StudioError } from '@shared/api/errors';
import { HeadRig, homeView, type FitFile } from '@engine/avatar/head-rig';
import { STAGE_FOV } from '@engine/view/camera-math';
import { orbitCamera } from '@engine/view/orbit-camera';
import type { VideoSettings } from './video-types';

export interface VideoFrame {
  vertices: Float32Array;
  camera: Camera;
  /** Tracked frame index (tracked sequences), else null. */
  trackedFrame: number | null;
}

export interface VideoSequence {
  count: number;
  frame(i: number): VideoFrame;
}

export function videoSequence(rig: HeadRig, fit: FitFile | null, s: VideoSettings): VideoSequence {
  const home = homeView(rig, STAGE_FOV);
  const orbit = (yaw: number) => orbitCamera({ target: home.target, distance: home.distance, yaw, pitch: 0 }, STAGE_FOV, s.width, s.height);
  if (s.sequence === 'turntable') {
    const state = rig.neutral();
    if (s.expression) {
      if (s.expression.length > rig.expressionCount) throw new StudioError('BAD_REQUEST', `The expression has ${s.expression.length} coefficients; this avatar's head has ${rig.expressionCount}.`);
      state.expression = state.expression.map((_, k) => rig.clampExpression(k, s.expression![k] ?? 0));
    }
    const vertices = rig.vertices(state, false);
    return { count: s.frames, frame: (i) => ({ vertices, camera: orbit((2 * Math.PI * i) / s.frames), trackedFrame: null }) };
  }
  const frames = fit?.frames ?? [];
  if (!frames.length) throw new StudioError('CONFLICT', 'The capture has no tracked frames, so there is no motion to render: export a turntable instead.');
  const camera = orbit(0);
  return { count: frames.length, frame: (i) => ({ vertices: rig.vertices(rig.fromFit(frames[i]), s.headPose), camera, trackedFrame: frames[i].idx }) };
}
