/**
 * three.js camera → the engine's camera (native/engine/CONVENTIONS.md). three.js cameras look down −z with +y up
 * (OpenGL); the engine's camera space is OpenCV's (+x right, +y down, +z forward). So the engine's world→camera
 * matrix is diag(1, −1, −1, 1) · three's `matrixWorldInverse`, and the focal length in pixels comes from the
 * vertical field of view. Pure maths (column-major arrays, as both three.js and the engine store them), no DOM.
 */
import type { Camera } from '../splat/camera';

/** Vertical field of view of the viewport's orbit camera, degrees. */
export const STAGE_FOV = 30;

export interface PerspectiveLike {
  /** Vertical field of view in degrees (three.js `PerspectiveCamera.fov`). */
  fov: number;
  /** three.js `camera.matrixWorldInverse.elements`: world → GL camera, column-major 4×4. */
  viewGl: ArrayLike<number>;
}

/** OpenCV view matrix from a GL one: rows 1 and 2 (y, z) negated. */
export function openCvView(viewGl: ArrayLike<number>): Float32Array {
  const m = Float32Array.from(viewGl);
  for (let c = 0; c < 4; c++) {
    m[c * 4 + 1] = -m[c * 4 + 1];
    m[c * 4 + 2] = -m[c * 4 + 2];
  }
  return m;
}

/**
 * The engine camera for a `width`×`height` image of the same view: square pixels, principal point at the image
 * centre (pixel centres at i + 0.5, so the centre of the image is exactly width/2, height/2 as in GL).
 */
export function engineCamera(cam: PerspectiveLike, width: number, height: number): Camera {
  const fy = (0.5 * height) / Math.tan((0.5 * cam.fov * Math.PI) / 180);
  return { width, height, fx: fy, fy, cx: width / 2, cy: height / 2, viewMatrix: openCvView(cam.viewGl) };
}

/** Pixel position (u, v) of a world point under an engine camera (CONVENTIONS.md projection); z ≤ 0 gives null. */
export function projectPoint(cam: Camera, p: readonly [number, number, number]): [number, number] | null {
  const V = cam.viewMatrix;
  const x = V[0] * p[0] + V[4] * p[1] + V[8] * p[2] + V[12];
  const y = V[1] * p[0] + V[5] * p[1] + V[9] * p[2] + V[13];
  const z = V[2] * p[0] + V[6] * p[1] + V[10] * p[2] + V[14];
  if (!(z > 0)) return null;
  return [cam.fx * (x / z) + cam.cx, cam.fy * (y / z) + cam.cy];
}

/**
 * Render size for a stage of `cssWidth`×`cssHeight` CSS pixels: device pixels, with the long side capped (the engine
 * on a CPU adapter renders ~10⁵ px in a fraction of a second, not 4K).
 */
export function renderSize(cssWidth: number, cssHeight: number, devicePixelRatio: number, maxLongSide: number): { width: number; height: number } {
  const w = Math.max(1, cssWidth * devicePixelRatio), h = Math.max(1, cssHeight * devicePixelRatio);
  const s = Math.min(1, maxLongSide / Math.max(w, h));
  return { width: Math.max(1, Math.round(w * s)), height: Math.max(1, Math.round(h * s)) };
}
