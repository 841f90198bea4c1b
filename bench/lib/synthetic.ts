/** Synthetic scenes with known parameters for the engine fit demo and the benchmark. */
import { orbitCameras, type Vec3 } from '../../native/engine/reference/camera';
import { rng } from '../../native/engine/reference/test-scenes';
import type { Camera } from '../../native/engine/reference/types';
import type { GaussianData } from '../../native/engine/splat/scene';

const SH_C0 = 0.28209479177387814;
const toDC = (c: number) => (c - 0.5) / SH_C0;
const logit = (p: number) => Math.log(p / (1 - p));

/**
 * A head-sized "textured blob": Gaussians on an ellipsoid shell (radii 0.8/1.0/0.85), coloured by latitude bands and
 * a longitude checker, plus "eyes" and a "nose". SH degree 0. Returns `count` Gaussians.
 */
export function texturedHead(count: number, seed = 1): GaussianData {
  const r = rng(seed);
  const means = new Float32Array(count * 3);
  const logScales = new Float32Array(count * 3);
  const rotations = new Float32Array(count * 4);
  const opacities = new Float32Array(count);
  const sh = new Float32Array(count * 3);
  const radii: Vec3 = [0.8, 1.0, 0.85];
  const features = 24;
  for (let i = 0; i < count; i++) {
    let p: Vec3;
    let col: Vec3;
    if (i < features) {
      // eyes (dark), nose (red-ish), mouth (deep red)
      const which = i % 3;
      const side = i % 2 ? 1 : -1;
      p = which === 0 ? [0.3 * side, -0.2, -0.78] : which === 1 ? [0, 0.05, -0.9] : [0.12 * side, 0.38, -0.75];
      p = [p[0] + (r() - 0.5) * 0.06, p[1] + (r() - 0.5) * 0.06, p[2] + (r() - 0.5) * 0.03];
      col = which === 0 ? [0.05, 0.05, 0.1] : which === 1 ? [0.85, 0.45, 0.35] : [0.6, 0.1, 0.15];
      logScales.set([Math.log(0.05), Math.log(0.04), Math.log(0.03)], i * 3);
    } else {
      const u = r() * 2 - 1;
      const phi = r() * 2 * Math.PI;
      const s = Math.sqrt(1 - u * u);
      const d: Vec3 = [s * Math.cos(phi), u, s * Math.sin(phi)];
      p = [d[0] * radii[0], d[1] * radii[1], d[2] * radii[2]];
      const band = 0.5 + 0.5 * Math.sin(u * 7);
      const checker = (Math.floor((phi / Math.PI) * 4) + Math.floor((u + 1) * 3)) % 2;
      col = [0.35 + 0.5 * band, 0.3 + 0.35 * checker, 0.25 + 0.5 * (1 - band) * (0.5 + 0.5 * checker)];
      logScales.set([Math.log(0.07 + 0.05 * r()), Math.log(0.07 + 0.05 * r()), Math.log(0.025)], i * 3);
    }
    means.set(p, i * 3);
    // orient the flat axis (z) roughly along the surface normal: rotation taking +z to the normal direction
    const n = normalize([p[0] / radii[0] ** 2, p[1] / radii[1] ** 2, p[2] / radii[2] ** 2]);
    const q = quatFromTo([0, 0, 1], n);
    rotations.set(q, i * 4);
    opacities[i] = logit(0.85 + 0.1 * r());
    sh.set([toDC(col[0]), toDC(col[1]), toDC(col[2])], i * 3);
  }
  return { count, means, logScales, rotations, opacities, sh };
}

function normalize(v: Vec3): Vec3 {
  const l = Math.hypot(...v);
  return [v[0] / l, v[1] / l, v[2] / l];
}

function quatFromTo(a: Vec3, b: Vec3): [number, number, number, number] {
  const c: Vec3 = [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
  const w = 1 + a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
  if (w < 1e-6) return [0, 1, 0, 0];
  const l = Math.hypot(w, ...c);
  return [w / l, c[0] / l, c[1] / l, c[2] / l];
}

/** Random initial Gaussians in a box, low opacity, grey-ish random colour; SH degree `shDegree`. */
export function randomInit(count: number, half: number, scale: number, seed = 2, shDegree = 0): GaussianData {
  const r = rng(seed);
  const K = (shDegree + 1) ** 2;
  const means = Float32Array.from({ length: count * 3 }, () => (r() * 2 - 1) * half);
  const logScales = new Float32Array(count * 3).fill(Math.log(scale));
  const rotations = new Float32Array(count * 4);
  for (let i = 0; i < count; i++) rotations[i * 4] = 1;
  const opacities = new Float32Array(count).fill(logit(0.1));
  const sh = new Float32Array(count * K * 3);
  for (let i = 0; i < count; i++) for (let c = 0; c < 3; c++) sh[i * K * 3 + c] = toDC(0.3 + 0.4 * r());
  return { count, means, logScales, rotations, opacities, sh };
}

/** Training and held-out orbits around the origin (held-out views at azimuths between training views). */
export function orbitViews(train: number, heldOut: number, size: number, distance = 3.2, fovX = 0.9) {
  const elev = [-0.35, 0, 0.35, 0.15];
  const trainCams: Camera[] = orbitCameras(train, distance, [0, 0, 0], size, size, fovX, elev);
  const testCams: Camera[] = orbitCameras(heldOut, distance, [0, 0, 0], size, size, fovX, [0.1, -0.2], Math.PI / train + 0.3);
  return { trainCams, testCams };
}
