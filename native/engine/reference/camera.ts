/** Camera helpers: view matrix access, look-at construction, camera centre. */
import type { Camera, Num } from './types';

export type Vec3 = [number, number, number];
/** Row-major 3×3 as a flat array: m[r*3+c]. */
export type Mat3 = number[];

/** Rotation part W of the (column-major) view matrix, returned row-major. */
export function viewRotation(view: Num): Mat3 {
  const W: Mat3 = new Array(9);
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) W[r * 3 + c] = view[c * 4 + r];
  return W;
}

export function viewTranslation(view: Num): Vec3 {
  return [view[12], view[13], view[14]];
}

/** World → camera space: `V · [p, 1]`. */
export function worldToCamera(view: Num, p: Vec3): Vec3 {
  return [
    view[0] * p[0] + view[4] * p[1] + view[8] * p[2] + view[12],
    view[1] * p[0] + view[5] * p[1] + view[9] * p[2] + view[13],
    view[2] * p[0] + view[6] * p[1] + view[10] * p[2] + view[14],
  ];
}

/** Camera centre in world space: `-Wᵀ t`. */
export function cameraCentre(view: Num): Vec3 {
  const W = viewRotation(view);
  const t = viewTranslation(view);
  return [
    -(W[0] * t[0] + W[3] * t[1] + W[6] * t[2]),
    -(W[1] * t[0] + W[4] * t[1] + W[7] * t[2]),
    -(W[2] * t[0] + W[5] * t[1] + W[8] * t[2]),
  ];
}

function sub(a: Vec3, b: Vec3): Vec3 {
  return [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
}
function cross(a: Vec3, b: Vec3): Vec3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}
function normalize(a: Vec3): Vec3 {
  const l = Math.hypot(a[0], a[1], a[2]);
  return [a[0] / l, a[1] / l, a[2] / l];
}

/**
 * OpenCV-style look-at view matrix (camera +z towards `target`, +y down).
 * `up` is the world up direction (image "up" maps to -y in camera space).
 */
export function lookAt(eye: Vec3, target: Vec3, up: Vec3 = [0, 1, 0]): Float32Array {
  const z = normalize(sub(target, eye));
  // x = right = z × up; y (down) = z × x completes the right-handed frame x × y = z.
  const x = normalize(cross(z, up));
  const y = cross(z, x);
  const m = new Float32Array(16);
  const rows = [x, y, z];
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) m[c * 4 + r] = rows[r][c];
    m[12 + r] = -(rows[r][0] * eye[0] + rows[r][1] * eye[1] + rows[r][2] * eye[2]);
  }
  m[15] = 1;
  return m;
}

/** A camera with focal lengths from a horizontal field of view (radians), principal point at the centre. */
export function makeCamera(width: number, height: number, fovX: number, viewMatrix: Num): Camera {
  const fx = (0.5 * width) / Math.tan(0.5 * fovX);
  return { width, height, fx, fy: fx, cx: width / 2, cy: height / 2, viewMatrix };
}

/** Points on a ring/sphere-ish orbit around `target` looking at it. */
export function orbitCameras(
  count: number,
  radius: number,
  target: Vec3,
  width: number,
  height: number,
  fovX: number,
  elevations: number[] = [0],
  phase = 0,
): Camera[] {
  const cams: Camera[] = [];
  for (let i = 0; i < count; i++) {
    const a = phase + (2 * Math.PI * i) / count;
    const el = elevations[i % elevations.length];
    const eye: Vec3 = [
      target[0] + radius * Math.cos(el) * Math.sin(a),
      target[1] + radius * Math.sin(el),
      target[2] + radius * Math.cos(el) * Math.cos(a),
    ];
    cams.push(makeCamera(width, height, fovX, lookAt(eye, target)));
  }
  return cams;
}
