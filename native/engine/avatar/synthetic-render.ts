/**
 * Synthetic head renders with known ground truth: the open head, textured from a face photo, turned into Gaussians
 * on its triangles and rendered by the engine's forward renderer with a known pose, expression and camera.
 *
 * Texturing needs only the photo's 478 tracked landmarks (MediaPipe order, source pixels): the face vertices of the
 * open head *are* MediaPipe landmarks 0–467, so a point at barycentric (a, b, c) on face triangle (i, j, k) takes the
 * photo's colour at a·lm_i + b·lm_j + c·lm_k (the photo warped through its own face mesh). The eyeballs are drawn
 * procedurally (sclera, an iris disc of the photo's iris colour, a pupil); skull, ears, neck and pockets get flat
 * hair/skin/mouth colours sampled from the photo. No lighting is added (the photo's own shading is in the texture).
 *
 * The rendered head's rigid pose is `p_cam = R · v + t` (OpenCV camera, model space as in head-model.ts), the same
 * pose the landmark fitter estimates, so a fit of the same model can be compared with the truth directly.
 */
import type { Camera } from '../splat/camera';
import type { GaussianData } from '../splat/scene';
import type { HeadModel, HeadParams } from './head-model';
import { makeRandom } from './math';
import type { OpenHead } from './open-head/build';

/** A decoded photo: RGB or RGBA, row-major, top row first. */
export interface PhotoImage {
  width: number;
  height: number;
  data: Uint8Array;
  channels: 3 | 4;
}

/** Gaussians attached to a head model's triangles: positions follow the mesh through any pose/expression. */
export interface SurfaceGaussians {
  count: number;
  triangle: Uint32Array; // N
  barycentric: Float32Array; // N × 3
  colour: Float32Array; // N × 3, linear 0..1 (rendered as-is)
  sigma: Float32Array; // N, isotropic standard deviation (metres)
}

export interface PhotoTextureOptions {
  /** Points per square metre on the face triangles (default 9e5 ≈ one per 1.05 mm). */
  faceDensity?: number;
  /** Points per square metre elsewhere (default 1e5 ≈ one per 3.2 mm). */
  otherDensity?: number;
  /** Gaussian σ relative to the point spacing (default 0.7: neighbours overlap enough to close the surface). */
  sigmaFactor?: number;
  seed?: number;
}

const SH_C0 = 0.28209479177387814;

/** Bilinear RGB (0..1) at pixel coordinates (pixel centres at i + 0.5), clamped to the image. */
export function samplePhoto(img: PhotoImage, x: number, y: number, out: Float32Array, o: number): void {
  // bilinear at pixel centres (i + 0.5, j + 0.5), clamped to the image
  const fx = Math.min(img.width - 1, Math.max(0, x - 0.5)), fy = Math.min(img.height - 1, Math.max(0, y - 0.5));
  const x0 = Math.floor(fx), y0 = Math.floor(fy), x1 = Math.min(img.width - 1, x0 + 1), y1 = Math.min(img.height - 1, y0 + 1);
  const ax = fx - x0, ay = fy - y0, ch = img.channels;
  for (let c = 0; c < 3; c++) {
    const p00 = img.data[(y0 * img.width + x0) * ch + c]!, p10 = img.data[(y0 * img.width + x1) * ch + c]!;
    const p01 = img.data[(y1 * img.width + x0) * ch + c]!, p11 = img.data[(y1 * img.width + x1) * ch + c]!;
    out[o + c] = ((1 - ay) * ((1 - ax) * p00 + ax * p10) + ay * ((1 - ax) * p01 + ax * p11)) / 255;
  }
}

/** Mean photo colour over a disc (pixels). */
function meanColour(img: PhotoImage, cx: number, cy: number, r: number): [number, number, number] {
  const acc = [0, 0, 0];
  let n = 0;
  const px = new Float32Array(3);
  for (let y = Math.floor(cy - r); y <= cy + r; y++)
    for (let x = Math.floor(cx - r); x <= cx + r; x++) {
      if ((x - cx) ** 2 + (y - cy) ** 2 > r * r || x < 0 || y < 0 || x >= img.width || y >= img.height) continue;
      samplePhoto(img, x + 0.5, y + 0.5, px, 0);
      acc[0]! += px[0]!; acc[1]! += px[1]!; acc[2]! += px[2]!; n++;
    }
  return n ? [acc[0]! / n, acc[1]! / n, acc[2]! / n] : [0.5, 0.5, 0.5];
}

/**
 * Places Gaussians on the open head's triangles (area-proportional, seeded) and colours them from a face photo and its
 * tracked landmarks (`stride` numbers per landmark, 478 landmarks, source pixels).
 */
export function texturedHeadFromPhoto(model: OpenHead, photo: PhotoImage, landmarks: ArrayLike<number>, stride: 2 | 3, options: PhotoTextureOptions = {}): SurfaceGaussians {
  const rest = model.evaluate({});
  const ranges = model.parts.triangleRanges;
  const vr = model.parts.vertexRanges;
  const partOf = (t: number): string => {
    for (const [name, [a, b]] of Object.entries(ranges)) if (t >= a && t < b) return name;
    return 'other';
  };
  const lmx = (m: number) => landmarks[m * stride]!, lmy = (m: number) => landmarks[m * stride + 1]!;
  const faceHeight = Math.hypot(lmx(10) - lmx(152), lmy(10) - lmy(152));
  // flat colours from the photo: skin (both cheeks), hair (above the forehead), iris (each iris centre)
  const cheekL = meanColour(photo, lmx(425), lmy(425), 0.04 * faceHeight), cheekR = meanColour(photo, lmx(205), lmy(205), 0.04 * faceHeight);
  const skin: [number, number, number] = [(cheekL[0] + cheekR[0]) / 2, (cheekL[1] + cheekR[1]) / 2, (cheekL[2] + cheekR[2]) / 2];
  const upX = (lmx(10) - lmx(152)) / faceHeight, upY = (lmy(10) - lmy(152)) / faceHeight;
  const hair = meanColour(photo, lmx(10) + upX * 0.22 * faceHeight, lmy(10) + upY * 0.22 * faceHeight, 0.05 * faceHeight);
  const irisR = meanColour(photo, lmx(468), lmy(468), 0.012 * faceHeight), irisL = meanColour(photo, lmx(473), lmy(473), 0.012 * faceHeight);
  const mouth: [number, number, number] = [0.28, 0.07, 0.08];
  const socket: [number, number, number] = [skin[0] * 0.55, skin[1] * 0.5, skin[2] * 0.5];
  // eyeball centres and forward directions (rest pose): the front pole is the vertex with the largest z
  const eyeball = (name: 'rightEyeball' | 'leftEyeball') => {
    const [a, b] = vr[name]!;
    const c = [0, 0, 0];
    let front = a;
    for (let v = a; v < b; v++) {
      for (let k = 0; k < 3; k++) c[k]! += rest[v * 3 + k]! / (b - a);
      if (rest[v * 3 + 2]! > rest[front * 3 + 2]!) front = v;
    }
    const d = [rest[front * 3]! - c[0]!, rest[front * 3 + 1]! - c[1]!, rest[front * 3 + 2]! - c[2]!];
    const r = Math.hypot(d[0]!, d[1]!, d[2]!);
    return { c, d: d.map((x) => x / r), r };
  };
  const eyes = { rightEyeball: { ...eyeball('rightEyeball'), iris: irisR }, leftEyeball: { ...eyeball('leftEyeball'), iris: irisL } };
  // hair line: skull points above the brows (and everything behind the ears) are hair, the rest skin
  const browY = rest[105 * 3 + 1]!, earZ = rest[234 * 3 + 2]!;

  const placed = placeSurfaceGaussians(model, options);
  const col = placed.colour;
  const px = new Float32Array(3);
  let lastT = -1, part = '', photoFacing = false, i = 0, j = 0, k = 0;
  const P = (v: number, c: number) => rest[v * 3 + c]!;
  for (let s = 0; s < placed.count; s++) {
    const t = placed.triangle[s]!;
    if (t !== lastT) {
      lastT = t;
      part = partOf(t);
      i = model.triangles[t * 3]!; j = model.triangles[t * 3 + 1]!; k = model.triangles[t * 3 + 2]!;
      // a face triangle is textured from the photo only where it faces the photo's camera (2D winding as the mesh's)
      photoFacing = false;
      if (part === 'face') {
        const cross = (lmx(j) - lmx(i)) * (lmy(k) - lmy(i)) - (lmy(j) - lmy(i)) * (lmx(k) - lmx(i));
        photoFacing = cross < 0; // y down in the image: counter-clockwise in model space (outward normal +z) is clockwise here
      }
    }
    const a = placed.barycentric[s * 3]!, b = placed.barycentric[s * 3 + 1]!, c = placed.barycentric[s * 3 + 2]!;
    let rgb: readonly number[];
    if (part === 'face') {
      if (photoFacing) { samplePhoto(photo, a * lmx(i) + b * lmx(j) + c * lmx(k), a * lmy(i) + b * lmy(j) + c * lmy(k), px, 0); rgb = [px[0]!, px[1]!, px[2]!]; } else rgb = skin;
    } else if (part === 'rightEyeball' || part === 'leftEyeball') {
      const e = eyes[part];
      const p = [0, 1, 2].map((q) => a * P(i, q) + b * P(j, q) + c * P(k, q) - e.c[q]!);
      const cosA = (p[0]! * e.d[0]! + p[1]! * e.d[1]! + p[2]! * e.d[2]!) / Math.hypot(p[0]!, p[1]!, p[2]!);
      const sinA = Math.sqrt(Math.max(0, 1 - cosA * cosA)) * e.r; // distance from the optical axis (metres)
      if (cosA > 0 && sinA < 0.0022) rgb = [0.03, 0.03, 0.03];
      else if (cosA > 0 && sinA < 0.0058) rgb = e.iris.map((x) => x * 0.8);
      else rgb = [0.86, 0.84, 0.8];
    } else if (part === 'mouth') rgb = mouth;
    else if (part === 'rightSocket' || part === 'leftSocket') rgb = socket;
    else if (part === 'skull') {
      const y = a * P(i, 1) + b * P(j, 1) + c * P(k, 1), z = a * P(i, 2) + b * P(j, 2) + c * P(k, 2);
      rgb = y > browY + 0.01 || (z < earZ - 0.03 && y > browY - 0.06) ? hair : skin;
    } else rgb = skin; // ears
    col[s * 3] = rgb[0]!; col[s * 3 + 1] = rgb[1]!; col[s * 3 + 2] = rgb[2]!;
  }
  return placed;
}

/** A head model whose triangles may be grouped in named parts (the open head's `parts`). */
export type PartedHeadModel = HeadModel & { parts?: { triangleRanges: Record<string, [number, number]> } };

/**
 * Places Gaussians on a head model's triangles in its rest pose (area-proportional, seeded): `faceDensity` on the face
 * and eyeballs (every triangle when the model has no `parts`), `otherDensity` elsewhere. Colours are left 0.
 */
export function placeSurfaceGaussians(model: PartedHeadModel, options: PhotoTextureOptions = {}): SurfaceGaussians {
  const rest = model.evaluate({});
  const T = model.triangles.length / 3;
  const ranges = model.parts?.triangleRanges;
  const dense = new Uint8Array(T).fill(ranges ? 0 : 1);
  if (ranges) for (const name of ['face', 'rightEyeball', 'leftEyeball']) { const r = ranges[name]; if (r) dense.fill(1, r[0], r[1]); }
  const faceDensity = options.faceDensity ?? 9e5, otherDensity = options.otherDensity ?? 1e5, sf = options.sigmaFactor ?? 0.7;
  const rand = makeRandom(options.seed ?? 7);
  const tri: number[] = [], bary: number[] = [], sig: number[] = [];
  for (let t = 0; t < T; t++) {
    const i = model.triangles[t * 3]!, j = model.triangles[t * 3 + 1]!, k = model.triangles[t * 3 + 2]!;
    const P = (v: number, c: number) => rest[v * 3 + c]!;
    const e1 = [P(j, 0) - P(i, 0), P(j, 1) - P(i, 1), P(j, 2) - P(i, 2)], e2 = [P(k, 0) - P(i, 0), P(k, 1) - P(i, 1), P(k, 2) - P(i, 2)];
    const area = 0.5 * Math.hypot(e1[1]! * e2[2]! - e1[2]! * e2[1]!, e1[2]! * e2[0]! - e1[0]! * e2[2]!, e1[0]! * e2[1]! - e1[1]! * e2[0]!);
    const density = dense[t] ? faceDensity : otherDensity;
    const expected = area * density;
    const n = Math.floor(expected) + (rand() < expected - Math.floor(expected) ? 1 : 0);
    const sigma = sf / Math.sqrt(density);
    for (let s = 0; s < n; s++) {
      const r1 = Math.sqrt(rand()), r2 = rand();
      tri.push(t); bary.push(1 - r1, r1 * (1 - r2), r1 * r2); sig.push(sigma);
    }
  }
  return { count: tri.length, triangle: Uint32Array.from(tri), barycentric: Float32Array.from(bary), colour: new Float32Array(tri.length * 3), sigma: Float32Array.from(sig) };
}

/**
 * Registers a photo texture to the mesh: the photo's tracked landmarks carry the detector's own error on the photo
 * (a feature lands a few pixels from its vertex), which every render of the textured head would inherit. Given a
 * render of the head and the landmarks a detector found on it (`detected`) next to the landmarks' true projections
 * (`truth`), both 478 × stride in render pixels, returns corrected texture landmarks for the face vertices: each is
 * moved by the render-space discrepancy mapped into the photo by the best 2D affine map render → photo.
 */
export function registerPhotoLandmarks(photoLandmarks: ArrayLike<number>, photoStride: 2 | 3, detected: ArrayLike<number>, detectedStride: 2 | 3, truth: ArrayLike<number>, truthStride: 2 | 3, points = 468): Float32Array {
  // affine photo ≈ A · truth + b by least squares over the face points
  const M = new Float64Array(9), rx = new Float64Array(3), ry = new Float64Array(3);
  for (let m = 0; m < points; m++) {
    const u = truth[m * truthStride]!, v = truth[m * truthStride + 1]!;
    const q = [u, v, 1];
    for (let a = 0; a < 3; a++) {
      for (let b = 0; b < 3; b++) M[a * 3 + b]! += q[a]! * q[b]!;
      rx[a]! += q[a]! * photoLandmarks[m * photoStride]!;
      ry[a]! += q[a]! * photoLandmarks[m * photoStride + 1]!;
    }
  }
  const solve3 = (A: Float64Array, r: Float64Array): number[] => {
    const det = (m: ArrayLike<number>) => m[0]! * (m[4]! * m[8]! - m[5]! * m[7]!) - m[1]! * (m[3]! * m[8]! - m[5]! * m[6]!) + m[2]! * (m[3]! * m[7]! - m[4]! * m[6]!);
    const d = det(A);
    return [0, 1, 2].map((c) => { const B = Float64Array.from(A); for (let k = 0; k < 3; k++) B[k * 3 + c] = r[k]!; return det(B) / d; });
  };
  const ax = solve3(M, rx), ay = solve3(M, ry);
  const out = new Float32Array(photoLandmarks.length);
  for (let i = 0; i < out.length; i++) out[i] = photoLandmarks[i]!;
  for (let m = 0; m < points; m++) {
    const du = detected[m * detectedStride]! - truth[m * truthStride]!, dv = detected[m * detectedStride + 1]! - truth[m * truthStride + 1]!;
    if (!Number.isFinite(du) || !Number.isFinite(dv)) continue;
    out[m * photoStride] = photoLandmarks[m * photoStride]! + ax[0]! * du + ax[1]! * dv;
    out[m * photoStride + 1] = photoLandmarks[m * photoStride + 1]! + ay[0]! * du + ay[1]! * dv;
  }
  return out;
}

/** The head posed: `p_cam = R · v(params) + t`, R row-major model → OpenCV camera. */
export interface HeadPose {
  rotation: ArrayLike<number>; // 3 × 3
  translation: ArrayLike<number>; // 3
  params?: HeadParams;
}

/**
 * Gaussians in camera space for a posed head (render them with `identityCamera`). Opacity logit 4 (α ≈ 0.98),
 * colours as SH degree 0.
 */
export function headGaussians(model: HeadModel, surface: SurfaceGaussians, pose: HeadPose): GaussianData {
  const v = model.evaluate(pose.params ?? {});
  const R = pose.rotation, t = pose.translation, N = surface.count;
  const means = new Float32Array(N * 3), logScales = new Float32Array(N * 3), rotations = new Float32Array(N * 4), opacities = new Float32Array(N).fill(4), sh = new Float32Array(N * 3);
  for (let n = 0; n < N; n++) {
    const tr = surface.triangle[n]!;
    const p = [0, 0, 0];
    for (let k = 0; k < 3; k++) {
      const vi = model.triangles[tr * 3 + k]!, w = surface.barycentric[n * 3 + k]!;
      for (let c = 0; c < 3; c++) p[c]! += w * v[vi * 3 + c]!;
    }
    for (let r = 0; r < 3; r++) means[n * 3 + r] = R[r * 3]! * p[0]! + R[r * 3 + 1]! * p[1]! + R[r * 3 + 2]! * p[2]! + t[r]!;
    logScales.fill(Math.log(surface.sigma[n]!), n * 3, n * 3 + 3);
    rotations[n * 4] = 1;
    for (let c = 0; c < 3; c++) sh[n * 3 + c] = (surface.colour[n * 3 + c]! - 0.5) / SH_C0;
  }
  return { count: N, means, logScales, rotations, opacities, sh };
}

/** A camera at the origin looking down +z (OpenCV axes): world space = camera space. */
export function identityCamera(width: number, height: number, fx: number, fy = fx, cx = width / 2, cy = height / 2): Camera {
  const viewMatrix = new Float32Array(16);
  viewMatrix[0] = viewMatrix[5] = viewMatrix[10] = viewMatrix[15] = 1;
  return { width, height, fx, fy, cx, cy, viewMatrix };
}

/** Interleaved float RGB (0..1) → 8-bit RGB. */
export function toRgb8(rgb: Float32Array, width: number, height: number): PhotoImage {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = Math.max(0, Math.min(255, Math.round(rgb[i]! * 255)));
  return { width, height, data, channels: 3 };
}
