/**
 * The fixed, seeded scene both sides of the viewport proof render: the page (browser WebGPU) and the Playwright
 * spec (Node/Dawn). Pure TS, no GPU.
 */
import type { Camera } from '../splat/camera';
import type { GaussianData } from '../splat/scene';
import { rng } from '../reference/test-scenes';

export const PROOF = { width: 96, height: 64, count: 600, shDegree: 3 as const, background: [0.05, 0.1, 0.2] as [number, number, number], seed: 1234 };

export function proofScene(count: number = PROOF.count): GaussianData {
  const r = rng(PROOF.seed);
  const n = count;
  const K = 16;
  const data: GaussianData = {
    count: n,
    means: new Float32Array(n * 3),
    logScales: new Float32Array(n * 3),
    rotations: new Float32Array(n * 4),
    opacities: new Float32Array(n),
    sh: new Float32Array(n * K * 3),
  };
  for (let i = 0; i < n; i++) {
    data.means.set([(r() - 0.5) * 2.4, (r() - 0.5) * 1.6, (r() - 0.5) * 2], i * 3);
    data.logScales.set([Math.log(0.03 + 0.1 * r()), Math.log(0.03 + 0.1 * r()), Math.log(0.03 + 0.1 * r())], i * 3);
    data.rotations.set([r() - 0.5, r() - 0.5, r() - 0.5, r() - 0.5], i * 4);
    data.opacities[i] = -1 + 4 * r();
    for (let c = 0; c < 3; c++) data.sh[i * K * 3 + c] = (r() - 0.5) * 2;
    for (let k = 3; k < K * 3; k++) data.sh[i * K * 3 + k] = (r() - 0.5) * 0.4;
  }
  return data;
}

/** Camera at (0.4, −0.3, −3.5) looking at the origin (OpenCV axes), slightly anisotropic focal, off-centre. */
export function proofCamera(): Camera {
  const eye = [0.4, -0.3, -3.5];
  const len = Math.hypot(eye[0], eye[1], eye[2]);
  const z = [-eye[0] / len, -eye[1] / len, -eye[2] / len];
  const up = [0, 1, 0];
  const xr = [z[1] * up[2] - z[2] * up[1], z[2] * up[0] - z[0] * up[2], z[0] * up[1] - z[1] * up[0]];
  const xl = Math.hypot(xr[0], xr[1], xr[2]);
  const x = xr.map((v) => v / xl);
  const y = [z[1] * x[2] - z[2] * x[1], z[2] * x[0] - z[0] * x[2], z[0] * x[1] - z[1] * x[0]];
  const view = new Float32Array(16);
  [x, y, z].forEach((row, rIdx) => {
    for (let c = 0; c < 3; c++) view[c * 4 + rIdx] = row[c];
    view[12 + rIdx] = -(row[0] * eye[0] + row[1] * eye[1] + row[2] * eye[2]);
  });
  view[15] = 1;
  return { width: PROOF.width, height: PROOF.height, fx: 80, fy: 84, cx: 46, cy: 33, viewMatrix: view };
}
