/**
 * An orbit camera around a target, as the engine's `Camera` (OpenCV convention, native/engine/CONVENTIONS.md):
 * yaw about +y (0 = in front of the face, on +z, looking towards −z), pitch up/down, at `distance`. Pure maths, no
 * DOM, shared by the web player (drag to orbit) and the video export (turntable), so both frame the avatar exactly
 * as the studio's viewport does at its home view (same field of view, target and distance: `homeView`).
 */
import type { Camera } from '../splat/camera';
import { engineCamera } from './camera-math';

export interface Orbit {
  target: readonly [number, number, number];
  distance: number;
  /** Radians about +y; positive turns the camera towards +x (the subject's left). */
  yaw: number;
  /** Radians; positive looks from above. */
  pitch: number;
}

/** World → GL camera (three.js `matrixWorldInverse`, column-major) of a camera at the orbit looking at its target, +y up. */
export function orbitViewGl(o: Orbit): Float32Array {
  const cp = Math.cos(o.pitch);
  const eye = [o.target[0] + o.distance * Math.sin(o.yaw) * cp, o.target[1] + o.distance * Math.sin(o.pitch), o.target[2] + o.distance * Math.cos(o.yaw) * cp];
  const f = norm([o.target[0] - eye[0], o.target[1] - eye[1], o.target[2] - eye[2]]);
  const s = norm(cross(f, [0, 1, 0]));
  const u = cross(s, f);
  const dot = (a: number[], b: number[]) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
  // Rows s, u, −f; translation −R·eye.
  return Float32Array.from([s[0], u[0], -f[0], 0, s[1], u[1], -f[1], 0, s[2], u[2], -f[2], 0, -dot(s, eye), -dot(u, eye), dot(f, eye), 1]);
}

/** The engine camera of an orbit for a `width`×`height` image with vertical field of view `fovDeg`. */
export function orbitCamera(o: Orbit, fovDeg: number, width: number, height: number): Camera {
  return engineCamera({ fov: fovDeg, viewGl: orbitViewGl(o) }, width, height);
}

function cross(a: number[], b: number[]): number[] {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}
function norm(v: number[]): number[] {
  const l = Math.hypot(v[0], v[1], v[2]) || 1;
  return [v[0] / l, v[1] / l, v[2] / l];
}
