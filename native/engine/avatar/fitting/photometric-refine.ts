/**
 * Photometric refinement of the landmark fit (analysis by synthesis through the GPU engine).
 *
 * 1. Appearance from the capture itself (`buildAppearance`): Gaussians on the head model's triangles
 *    (`placeSurfaceGaussians`), posed with a keyframe's landmark fit (pose, shape, expression, jaw, eyes); each takes
 *    the colour of the keyframe pixel it projects to, from the keyframe where it is visible (depth test against the
 *    engine's own depth render) and faces the camera most. Gaussians no keyframe sees get the mean seen colour. Then
 *    a few SART steps through the engine (its backward gives each Gaussian's footprint-weighted residual) fit the
 *    colours so that rendering a keyframe at its fitted pose reproduces it: opaque isotropic splats on a curved
 *    surface push colours outwards, and sampled colours alone would bias the pose (≈ 3 % of depth on our renders).
 * 2. Per frame (`refine`): the rigid pose (rotation about the face centre + translation; the non-rigid parameters stay
 *    the landmark fit's) minimising a masked, Huber-robust L2 photometric loss between the engine's render of that
 *    head and the frame, coarse to fine over a resolution pyramid (only the mask's bounding box is rendered), plus a
 *    weak prior to the landmark pose. Gradient (`options.gradient`): 'engine' — the engine's `SplatBackward` gives
 *    dL/dμ per Gaussian, and with μ = R·p + t (camera space) dL/dδ = Σ (μ − c) × dL/dμ, dL/dt = Σ dL/dμ; or 'warp'
 *    (default) — the direct-alignment gradient (the render's image gradient times the motion of the rendered surface
 *    point, from the engine's depth). The Gauss–Newton matrix is the direct-alignment one in both; steps are
 *    Levenberg–Marquardt, each accepted only if the rendered loss goes down.
 * 3. Optionally (`options.nonRigid`), a joint stage at the finest level: pose + expression coefficients + jaw opening,
 *    the non-rigid Jacobian columns by forward differences of renders (see `refineNonRigid`).
 *
 * The loss mask is the frame's detected face oval minus the mouth opening (teeth and tongue are not modelled), so
 * the unknown background and the hair never enter the loss. The refinement aligns every frame to the keyframes'
 * appearance: it corrects frame-to-frame pose errors of the landmark fit (a detector's pose-dependent bias); an
 * error the keyframes' own fits share stays (the texture is sampled through them).
 *
 * Surface Gaussians are isotropic with identity rotation, so a rigid motion changes only their means: the pose
 * gradient needs no deformer backward.
 */
import { writeArray, createStorageBuffer } from '../../gpu/buffers';
import { readF32 } from '../../gpu/readback';
import { backwardInputsFromForward, SplatBackward } from '../../splat/backward';
import { SceneGradients } from '../../splat/backward-grads';
import { ForwardRenderer, type ForwardState } from '../../splat/forward';
import { GaussianScene } from '../../splat/scene';
import type { HeadParams } from '../head-model';
import { choleskySolve, mat3Mul, rodrigues, rotationToAxisAngle } from '../math';
import { identityCamera, placeSurfaceGaussians, samplePhoto, type PartedHeadModel, type PhotoImage, type SurfaceGaussians } from '../synthetic-render';
import { FACE_OVAL, type Intrinsics } from './fit';
import { blurImage, downsampleRgb, faceMask } from './photometric-image';

export interface RigidPose {
  /** Axis-angle of the model → OpenCV camera rotation. */
  rotation: [number, number, number];
  /** Camera-space translation of the model origin (metres). */
  translation: [number, number, number];
}

export interface RefineFrame {
  image: PhotoImage;
  /** The detector's landmarks in `image` pixels (478 or 468 × stride, MediaPipe order): they only shape the loss mask. */
  landmarks: ArrayLike<number>;
  stride: 2 | 3;
  /** The landmark fit of this frame: the start and the prior of the rigid pose, and the fixed non-rigid parameters. */
  pose: RigidPose;
  params: HeadParams;
}

export interface PyramidLevel {
  /** Long side of the render (pixels). */
  size: number;
  /** Levenberg–Marquardt iterations at most. */
  iterations: number;
}

export interface PhotometricRefineOptions {
  /** Intrinsics of the full-resolution frames. */
  intrinsics: Intrinsics;
  /** Coarse to fine. Default [{ size: 128, iterations: 8 }, { size: 256, iterations: 6 }]. */
  levels?: PyramidLevel[];
  /** Gaussians per m² on the face and eyes (default 1.5e5, ≈ 2.6 mm apart) and elsewhere (default 0: the loss mask holds only the face). */
  faceDensity?: number;
  otherDensity?: number;
  /** Prior to the landmark fit's pose: σ of the rotation (degrees, default 5) and of the translation (fraction of depth, default 0.05). */
  rotationPriorDeg?: number;
  translationPriorFraction?: number;
  /**
   * Where the pose gradient comes from: 'engine' — the splat renderer's backward pass (exact for the differentiable
   * part of the rendered loss: it does not differentiate the depth sort, like 3DGS); 'warp' (default) — the
   * direct-alignment approximation (render image gradient × motion of the rendered surface point), no backward pass.
   * On the synthetic recovery test both reach the same poses (within 0.2°); 'warp' costs about half the time a frame
   * on a CPU adapter, where one backward pass takes ≈ 1–2 s whatever the image size.
   */
  gradient?: 'engine' | 'warp';
  /** Huber threshold of the per-pixel colour residual (RGB distance, 0..1 units; default 0.1). */
  huber?: number;
  /**
   * After the rigid levels, a joint stage at the finest level that also refines the expression coefficients and the
   * jaw opening (jaw x) with the pose (default off). Their image Jacobian columns are forward differences of engine
   * renders (one render per coefficient per iteration); the pose columns stay the direct-alignment ones. Priors pull
   * them to the landmark fit's values. For frames whose landmark-fit expression is wrong (the detector's mouth), the
   * rigid pose otherwise absorbs the misfit.
   */
  nonRigid?: {
    iterations?: number;
    expressionSigma?: number;
    jawSigmaRad?: number;
    /** Only the leading this many expression coefficients (default all; a learned space orders them by variance). */
    expressions?: number;
  } | null;
}

export interface RefineResult {
  pose: RigidPose;
  /** The non-rigid parameters after the refinement (the frame's own unless `nonRigid` is on). */
  params: HeadParams;
  /** Masked mean per-pixel colour loss (Huber of the RGB distance) at the finest level, at the start and the end. */
  lossBefore: number;
  lossAfter: number;
  /** Rotation (degrees) and translation (metres) between the landmark pose and the refined one. */
  rotationChangeDeg: number;
  translationChange: number;
  renders: number;
  ms: number;
}

/** Noise scale of the data term: colour σ 0.04 with ≈ 4 px² correlated patches (only sets its weight against the prior). */
const DATA_SCALE = 1 / (0.04 * 0.04 * 4);
const OPACITY_LOGIT = 4;
const TARGET_BLUR = 0.5;
/** The detected face oval runs along the mesh border: the loss keeps to its inner part (scaled about its centroid). */
const MASK_SHRINK = 0.9;
const SH_C0 = 0.28209479177387814;
/** A Gaussian is seen by a keyframe when its depth is within this of the rendered surface (metres). */
const VISIBILITY_TOLERANCE = 0.004;

/** One frame at one pyramid level: the rendered crop (mask bounding box), its intrinsics, target and loss mask. */
export interface Level {
  width: number;
  height: number;
  K: Intrinsics;
  target: Float32Array; // H·W·3
  mask: Float32Array; // H·W
  background: [number, number, number];
}

interface Rendered {
  cost: number;
  loss: number;
  centre: [number, number, number];
  state: ForwardState;
  color: Float32Array;
  X: Float64Array;
  R: Float64Array;
  t: ArrayLike<number>;
}

interface Linearisation {
  cost: number;
  loss: number;
  g: Float64Array; // 6
  H: Float64Array; // 36
}

/** Frames best suited as appearance keyframes: low landmark error, facing the camera; `count` of them, ≥ 10° apart. */
export function chooseKeyframes(fits: { rotation: ArrayLike<number>; translation: ArrayLike<number>; reprojectionErrorPx: number }[], count = 1): number[] {
  const forward = fits.map((f) => { const R = rodrigues(f.rotation[0]!, f.rotation[1]!, f.rotation[2]!); return [R[2]!, R[5]!, R[8]!]; });
  const score = fits.map((f, i) => {
    const t = f.translation, d = Math.hypot(t[0]!, t[1]!, t[2]!);
    const cos = -(forward[i]![0]! * t[0]! + forward[i]![1]! * t[1]! + forward[i]![2]! * t[2]!) / d;
    return Number.isFinite(f.reprojectionErrorPx) && cos > 0.5 ? f.reprojectionErrorPx + 10 * (1 - cos) : Infinity;
  });
  const order = score.map((s, i) => ({ s, i })).filter((x) => Number.isFinite(x.s)).sort((a, b) => a.s - b.s);
  const chosen: number[] = [];
  for (const { i } of order) {
    if (chosen.length >= count) break;
    const f = forward[i]!;
    if (chosen.every((j) => f[0]! * forward[j]![0]! + f[1]! * forward[j]![1]! + f[2]! * forward[j]![2]! < Math.cos((10 * Math.PI) / 180))) chosen.push(i);
  }
  return chosen;
}

function poseMatrix(p: RigidPose): Float64Array {
  return rodrigues(p.rotation[0], p.rotation[1], p.rotation[2]);
}

/** Skew-symmetric product rows: −[a]× (dX/dδ for X' = exp(δ)(X − c) + c with a = X − c). */
function negSkew(a0: number, a1: number, a2: number): number[][] {
  return [[0, a2, -a1], [-a2, 0, a0], [a1, -a0, 0]];
}

export class PhotometricRefiner {
  readonly surface: SurfaceGaussians;
  private readonly scene: GaussianScene;
  private readonly renderer: ForwardRenderer;
  private readonly backward: SplatBackward;
  private readonly grads: SceneGradients;
  private dRgb: GPUBuffer | null = null;
  private dRgbPixels = 0;
  private readonly levels: PyramidLevel[];
  private readonly dense: Uint8Array;
  private readonly means: Float32Array;
  private readonly huber: number;
  /** Renders issued so far (cost accounting). */
  renders = 0;
  /** The aux (depth) buffer `linearise` last read: the non-rigid stage reuses it for its pose rows. */

  constructor(readonly device: GPUDevice, readonly model: PartedHeadModel, readonly options: PhotometricRefineOptions) {
    this.levels = options.levels ?? [{ size: 128, iterations: 8 }, { size: 256, iterations: 6 }];
    this.huber = options.huber ?? 0.1;
    this.surface = placeSurfaceGaussians(model, { faceDensity: options.faceDensity ?? 1.5e5, otherDensity: options.otherDensity ?? 0, sigmaFactor: 0.85, seed: 11 });
    const N = this.surface.count;
    const faceTris = model.parts?.triangleRanges.face;
    this.dense = new Uint8Array(N);
    for (let n = 0; n < N; n++) { const t = this.surface.triangle[n]!; this.dense[n] = !faceTris || (t >= faceTris[0] && t < faceTris[1]) ? 1 : 0; }
    this.means = new Float32Array(N * 3);
    const logScales = new Float32Array(N * 3), rotations = new Float32Array(N * 4), opacities = new Float32Array(N).fill(OPACITY_LOGIT), sh = new Float32Array(N * 3);
    for (let n = 0; n < N; n++) { logScales.fill(Math.log(this.surface.sigma[n]!), n * 3, n * 3 + 3); rotations[n * 4] = 1; }
    this.scene = GaussianScene.fromData(device, { count: N, means: this.means, logScales, rotations, opacities, sh }, { shDegree: 0, label: 'photometric-refine' });
    this.renderer = new ForwardRenderer(device);
    this.backward = new SplatBackward(this.scene);
    this.grads = new SceneGradients(this.scene);
  }

  /** Model-space Gaussian centres (N × 3) and unit triangle normals for the given non-rigid parameters. */
  private modelPoints(params: HeadParams): { points: Float64Array; normals: Float64Array } {
    const v = this.model.evaluate(params);
    const s = this.surface, N = s.count, tris = this.model.triangles;
    const points = new Float64Array(N * 3), normals = new Float64Array(N * 3);
    for (let n = 0; n < N; n++) {
      const t = s.triangle[n]!;
      const i = tris[t * 3]! * 3, j = tris[t * 3 + 1]! * 3, k = tris[t * 3 + 2]! * 3;
      for (let c = 0; c < 3; c++) points[n * 3 + c] = s.barycentric[n * 3]! * v[i + c]! + s.barycentric[n * 3 + 1]! * v[j + c]! + s.barycentric[n * 3 + 2]! * v[k + c]!;
      const e1 = [v[j]! - v[i]!, v[j + 1]! - v[i + 1]!, v[j + 2]! - v[i + 2]!], e2 = [v[k]! - v[i]!, v[k + 1]! - v[i + 1]!, v[k + 2]! - v[i + 2]!];
      const nx = e1[1]! * e2[2]! - e1[2]! * e2[1]!, ny = e1[2]! * e2[0]! - e1[0]! * e2[2]!, nz = e1[0]! * e2[1]! - e1[1]! * e2[0]!;
      const l = Math.hypot(nx, ny, nz) || 1;
      normals[n * 3] = nx / l; normals[n * 3 + 1] = ny / l; normals[n * 3 + 2] = nz / l;
    }
    return { points, normals };
  }

  /** Camera-space means X = R·p + t into `this.means` (f32) and the GPU scene; returns them in f64. */
  private place(points: Float64Array, R: ArrayLike<number>, t: ArrayLike<number>): Float64Array {
    const N = this.surface.count, X = new Float64Array(N * 3);
    for (let n = 0; n < N; n++) {
      const px = points[n * 3]!, py = points[n * 3 + 1]!, pz = points[n * 3 + 2]!;
      for (let r = 0; r < 3; r++) X[n * 3 + r] = R[r * 3]! * px + R[r * 3 + 1]! * py + R[r * 3 + 2]! * pz + t[r]!;
    }
    for (let i = 0; i < X.length; i++) this.means[i] = X[i]!;
    writeArray(this.device, this.scene.means, this.means);
    return X;
  }

  private levelIntrinsics(width: number, height: number, imgW: number, imgH: number): Intrinsics {
    const K = this.options.intrinsics, sx = width / imgW, sy = height / imgH;
    return { fx: K.fx * sx, fy: K.fy * sy, cx: K.cx * sx, cy: K.cy * sy };
  }

  private levelSize(size: number, imgW: number, imgH: number): [number, number] {
    const s = size / Math.max(imgW, imgH);
    return [Math.max(8, Math.round(imgW * s)), Math.max(8, Math.round(imgH * s))];
  }

  private async renderAt(points: Float64Array, R: ArrayLike<number>, t: ArrayLike<number>, width: number, height: number, K: Intrinsics, background: [number, number, number]): Promise<{ state: ForwardState; X: Float64Array }> {
    const X = this.place(points, R, t);
    this.renders++;
    const state = await this.renderer.render(this.scene, identityCamera(width, height, K.fx, K.fy, K.cx, K.cy), { background });
    return { state, X };
  }

  /**
   * Colours the Gaussians from keyframes (each with its landmark fit): per Gaussian, the keyframe that sees it most
   * frontally (visible by the engine's depth, facing the camera). Must run before `refine`.
   */
  async buildAppearance(keyframes: RefineFrame[], visibilitySize = 256, colourIterations = 3): Promise<{ seen: number; count: number }> {
    const N = this.surface.count;
    const best = new Float64Array(N).fill(-1);
    const colour = this.surface.colour;
    const px = new Float32Array(3);
    for (const key of keyframes) {
      const { points, normals } = this.modelPoints(key.params);
      const R = poseMatrix(key.pose), t = key.pose.translation;
      const [w, h] = this.levelSize(visibilitySize, key.image.width, key.image.height);
      const K = this.levelIntrinsics(w, h, key.image.width, key.image.height);
      const { state, X } = await this.renderAt(points, R, t, w, h, K, [0, 0, 0]);
      const color = await readF32(this.device, state.color, 0, w * h * 4);
      const aux = await readF32(this.device, state.aux, 0, w * h * 4);
      const Kf = this.options.intrinsics;
      for (let n = 0; n < N; n++) {
        const x = X[n * 3]!, y = X[n * 3 + 1]!, z = X[n * 3 + 2]!;
        if (!(z > 0.01)) continue;
        const nx = R[0]! * normals[n * 3]! + R[1]! * normals[n * 3 + 1]! + R[2]! * normals[n * 3 + 2]!;
        const ny = R[3]! * normals[n * 3]! + R[4]! * normals[n * 3 + 1]! + R[5]! * normals[n * 3 + 2]!;
        const nz = R[6]! * normals[n * 3]! + R[7]! * normals[n * 3 + 1]! + R[8]! * normals[n * 3 + 2]!;
        const facing = -(nx * x + ny * y + nz * z) / Math.hypot(x, y, z);
        if (!(facing > 0.2) || facing <= best[n]!) continue;
        const u = (K.fx * x) / z + K.cx, v = (K.fy * y) / z + K.cy;
        const pu = Math.floor(u), pv = Math.floor(v);
        if (pu < 0 || pv < 0 || pu >= w || pv >= h) continue;
        const p = pv * w + pu, alpha = color[p * 4 + 3]!;
        // the rendered depth is a blend over each splat's footprint: on a slope it runs ahead of the point's own depth
        const tolerance = VISIBILITY_TOLERANCE + (2.5 * this.surface.sigma[n]! * Math.sqrt(1 - facing * facing)) / facing;
        if (!(alpha > 0.5) || z > aux[p * 4]! / alpha + tolerance) continue;
        samplePhoto(key.image, (Kf.fx * x) / z + Kf.cx, (Kf.fy * y) / z + Kf.cy, px, 0);
        colour[n * 3] = px[0]!; colour[n * 3 + 1] = px[1]!; colour[n * 3 + 2] = px[2]!;
        best[n] = facing;
      }
    }
    let seen = 0;
    const mean = [0, 0, 0];
    for (let n = 0; n < N; n++) if (best[n]! >= 0) { seen++; for (let c = 0; c < 3; c++) mean[c]! += colour[n * 3 + c]!; }
    for (let c = 0; c < 3; c++) mean[c] = seen ? mean[c]! / seen : 0.5;
    for (let n = 0; n < N; n++) if (best[n]! < 0) for (let c = 0; c < 3; c++) colour[n * 3 + c] = mean[c]!;
    this.uploadColours();
    const den = new Float64Array(N);
    for (let it = 0; it < colourIterations; it++) await this.fitColoursStep(keyframes, visibilitySize, den, it === 0);
    return { seen, count: N };
  }

  private uploadColours(): void {
    const c = this.surface.colour, sh = new Float32Array(c.length);
    for (let i = 0; i < sh.length; i++) sh[i] = (c[i]! - 0.5) / SH_C0;
    writeArray(this.device, this.scene.sh, sh);
  }

  private async backwardOf(state: ForwardState, dRgb: Float32Array, background: [number, number, number]): Promise<void> {
    const n = state.width * state.height;
    if (!this.dRgb || this.dRgbPixels < n) {
      this.dRgb?.destroy();
      this.dRgb = createStorageBuffer(this.device, n * 12, 'photometric-refine.dRgb');
      this.dRgbPixels = n;
    }
    writeArray(this.device, this.dRgb, dRgb);
    const enc = this.device.createCommandEncoder({ label: 'photometric-refine.backward' });
    this.backward.encode(enc, state.camera, backwardInputsFromForward(state), { rgb: this.dRgb, rgbStride: 3 }, this.grads, { background });
    this.device.queue.submit([enc.finish()]);
  }

  /**
   * One SART step on the colours (through the engine): every Gaussian's colour moves by the footprint-weighted mean
   * residual of the keyframe pixels it covers, so rendering a keyframe at its pose reproduces it, compositing included
   * (opaque isotropic splats on a curved surface push colours outwards; sampled colours alone would bias the pose).
   */
  private async fitColoursStep(keyframes: RefineFrame[], size: number, den: Float64Array, first: boolean): Promise<void> {
    const N = this.surface.count;
    const num = new Float64Array(N * 3);
    for (const key of keyframes) {
      const { points } = this.modelPoints(key.params);
      const R = poseMatrix(key.pose);
      const L = this.prepareLevel(key, size, 1);
      const { state } = await this.renderAt(points, R, key.pose.translation, L.width, L.height, L.K, L.background);
      const n = L.width * L.height;
      const color = await readF32(this.device, state.color, 0, n * 4);
      const d = new Float32Array(n * 3);
      // footprint weights Σ_p w_pn (a unit gradient image), then the residual-weighted sums
      for (let p = 0; p < n; p++) if (L.mask[p]! > 0 && color[p * 4 + 3]! > 0.5) d[p * 3] = 1;
      if (first) {
        // the pose is fixed, so the footprints are too: once
        await this.backwardOf(state, d, L.background);
        const w = await readF32(this.device, this.grads.sh, 0, N * 3);
        for (let k = 0; k < N; k++) den[k]! += w[k * 3]! / SH_C0;
      }
      for (let p = 0; p < n; p++) if (d[p * 3] === 1) for (let c = 0; c < 3; c++) d[p * 3 + c] = color[p * 4 + c]! - L.target[p * 3 + c]!;
      await this.backwardOf(state, d, L.background);
      const g = await readF32(this.device, this.grads.sh, 0, N * 3);
      for (let i = 0; i < N * 3; i++) num[i]! += g[i]! / SH_C0;
    }
    const col = this.surface.colour;
    for (let k = 0; k < N; k++) {
      if (!(den[k]! > 0.05)) continue;
      for (let c = 0; c < 3; c++) col[k * 3 + c] = Math.min(1, Math.max(0, col[k * 3 + c]! - (0.8 * num[k * 3 + c]!) / den[k]!));
    }
    this.uploadColours();
  }

  /** The target, mask and intrinsics of one frame at one pyramid level. */
  prepareLevel(frame: RefineFrame, size: number, shrink = MASK_SHRINK): Level {
    const [width, height] = this.levelSize(size, frame.image.width, frame.image.height);
    const K = this.levelIntrinsics(width, height, frame.image.width, frame.image.height);
    // the render composites opaque splats of point colours (softer than the frame): blur the target by about half a splat's σ
    const sigmaPx = TARGET_BLUR * (0.85 / Math.sqrt(this.options.faceDensity ?? 1.5e5)) * K.fx / Math.max(0.05, frame.pose.translation[2]);
    const target = blurImage(downsampleRgb(frame.image, width, height), width, height, 3, sigmaPx);
    const mask = faceMask(frame.landmarks, frame.stride, FACE_OVAL, width / frame.image.width, width, height, shrink);
    if (!mask) throw new Error('photometric refinement: the frame has no face-oval landmarks');
    const bg = [0, 0, 0];
    let nb = 0;
    for (let p = 0; p < width * height; p++) if (mask[p] === 0) { nb++; for (let c = 0; c < 3; c++) bg[c]! += target[p * 3 + c]!; }
    // render only the mask's bounding box (padded): the loss sees nothing else
    let x0 = width, y0 = height, x1 = -1, y1 = -1;
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) if (mask[y * width + x]! > 0) { x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y); }
    if (x1 < 0) throw new Error('photometric refinement: the face mask is empty');
    const pad = 4;
    x0 = Math.max(0, x0 - pad); y0 = Math.max(0, y0 - pad); x1 = Math.min(width - 1, x1 + pad); y1 = Math.min(height - 1, y1 + pad);
    const cw = x1 - x0 + 1, chh = y1 - y0 + 1;
    const ct = new Float32Array(cw * chh * 3), cm = new Float32Array(cw * chh);
    for (let y = 0; y < chh; y++)
      for (let x = 0; x < cw; x++) {
        const p = (y + y0) * width + x + x0, q = y * cw + x;
        cm[q] = mask[p]!;
        for (let c = 0; c < 3; c++) ct[q * 3 + c] = target[p * 3 + c]!;
      }
    const background: [number, number, number] = nb ? [bg[0]! / nb, bg[1]! / nb, bg[2]! / nb] : [0.5, 0.5, 0.5];
    return { width: cw, height: chh, K: { fx: K.fx, fy: K.fy, cx: K.cx - x0, cy: K.cy - y0 }, target: ct, mask: cm, background };
  }

  /**
   * Drops mask pixels the head does not cover (alpha < 0.9) at the level's starting pose, so a mask reaching past the
   * mesh border does not pull the head towards the camera. Fixed for the level (a pose-dependent mask would reward
   * uncovering pixels).
   */
  private async restrictToCoverage(points: Float64Array, L: Level, R: Float64Array, t: ArrayLike<number>): Promise<void> {
    const { state } = await this.renderAt(points, R, t, L.width, L.height, L.K, L.background);
    const color = await readF32(this.device, state.color, 0, L.width * L.height * 4);
    for (let p = 0; p < L.width * L.height; p++) if (!(color[p * 4 + 3]! > 0.9)) L.mask[p] = 0;
  }

  /** Prior to the landmark pose: cost, gradient and Gauss–Newton matrix in the (δ about c, δt) parametrisation. */
  private prior(R: Float64Array, t: ArrayLike<number>, c: ArrayLike<number>, start: RigidPose, lin?: { g: Float64Array; H: Float64Array }): number {
    const sr = ((this.options.rotationPriorDeg ?? 5) * Math.PI) / 180;
    const st = (this.options.translationPriorFraction ?? 0.05) * Math.max(0.05, start.translation[2]);
    const R0 = poseMatrix(start);
    const Rt0 = [R0[0]!, R0[3]!, R0[6]!, R0[1]!, R0[4]!, R0[7]!, R0[2]!, R0[5]!, R0[8]!];
    const w = rotationToAxisAngle(mat3Mul(R, Rt0));
    const dt = [t[0]! - start.translation[0], t[1]! - start.translation[1], t[2]! - start.translation[2]];
    const wr = 1 / (sr * sr), wt = 1 / (st * st);
    const cost = wr * (w[0] ** 2 + w[1] ** 2 + w[2] ** 2) + wt * (dt[0]! ** 2 + dt[1]! ** 2 + dt[2]! ** 2);
    if (lin) {
      // t' = exp(δ)(t − c) + c + δt → dt'/dδ = −[t − c]×, dt'/dδt = I; dω/dδ ≈ I
      const A = negSkew(t[0]! - c[0]!, t[1]! - c[1]!, t[2]! - c[2]!);
      const J = [0, 1, 2].map((r) => [A[r]![0]!, A[r]![1]!, A[r]![2]!, r === 0 ? 1 : 0, r === 1 ? 1 : 0, r === 2 ? 1 : 0]);
      for (let k = 0; k < 3; k++) { lin.g[k]! += 2 * wr * w[k]!; lin.H[k * 6 + k]! += 2 * wr; }
      for (let r = 0; r < 3; r++)
        for (let a = 0; a < 6; a++) {
          lin.g[a]! += 2 * wt * J[r]![a]! * dt[r]!;
          for (let b = 0; b < 6; b++) lin.H[a * 6 + b]! += 2 * wt * J[r]![a]! * J[r]![b]!;
        }
    }
    return cost;
  }

  /** Masked Huber photometric data term of a rendered colour buffer, and (optionally) dE/drgb. */
  private dataTerm(color: Float32Array, L: Level, dRgb?: Float32Array, weights?: Float32Array): { cost: number; loss: number } {
    const n = L.width * L.height, d = this.huber;
    let sum = 0, msum = 0;
    for (let p = 0; p < n; p++) {
      const m = L.mask[p]!;
      if (dRgb) { dRgb[p * 3] = 0; dRgb[p * 3 + 1] = 0; dRgb[p * 3 + 2] = 0; }
      if (!(m > 0)) continue;
      const r0 = color[p * 4]! - L.target[p * 3]!, r1 = color[p * 4 + 1]! - L.target[p * 3 + 1]!, r2 = color[p * 4 + 2]! - L.target[p * 3 + 2]!;
      const e = Math.sqrt(r0 * r0 + r1 * r1 + r2 * r2);
      sum += m * (e <= d ? e * e : 2 * d * e - d * d);
      msum += m;
      const w = e <= d ? 1 : d / e;
      if (weights) weights[p] = m * w;
      if (dRgb) { const k = 2 * m * w * DATA_SCALE; dRgb[p * 3] = k * r0; dRgb[p * 3 + 1] = k * r1; dRgb[p * 3 + 2] = k * r2; }
    }
    return { cost: sum * DATA_SCALE, loss: msum > 0 ? sum / msum : 0 };
  }

  private centre(X: Float64Array): [number, number, number] {
    const c = [0, 0, 0];
    let k = 0;
    for (let n = 0; n < this.surface.count; n++) if (this.dense[n]) { k++; for (let j = 0; j < 3; j++) c[j]! += X[n * 3 + j]!; }
    return [c[0]! / k, c[1]! / k, c[2]! / k];
  }

  /** Renders at a pose: cost (data + prior) and what `linearise` needs, valid until the next render. */
  private async costAt(points: Float64Array, L: Level, R: Float64Array, t: ArrayLike<number>, start: RigidPose): Promise<Rendered> {
    const { state, X } = await this.renderAt(points, R, t, L.width, L.height, L.K, L.background);
    const color = await readF32(this.device, state.color, 0, L.width * L.height * 4);
    const c = this.centre(X);
    const d = this.dataTerm(color, L);
    return { cost: d.cost + this.prior(R, t, c, start), loss: d.loss, centre: c, state, color, X, R, t };
  }

  /**
   * Cost (data + prior) at a pose; with `gradient`, also dE/d(δ, δt) (rotation δ about the face centre, then
   * translation δt) from the engine's backward, and the Gauss–Newton matrix. Public for the finite-difference test.
   */
  async evaluate(points: Float64Array, L: Level, R: Float64Array, t: ArrayLike<number>, start: RigidPose, gradient: boolean): Promise<Linearisation & { centre: [number, number, number] }> {
    const r = await this.costAt(points, L, R, t, start);
    if (!gradient) return { cost: r.cost, loss: r.loss, g: new Float64Array(6), H: new Float64Array(36), centre: r.centre };
    return this.linearise(r, L, start);
  }

  /**
   * Gradient and Gauss–Newton matrix at the last render (`r` must come from the latest `costAt`), with the data term's
   * per-pixel weights; `rowsOut` (pixel × channel × 6), when given, receives the pose rows of the weighted pixels.
   */
  private async linearise(r: Rendered, L: Level, start: RigidPose, rowsOut?: Float32Array): Promise<Linearisation & { centre: [number, number, number]; weights: Float32Array }> {
    const { state, color, X, R, t, centre: c } = r;
    const n = L.width * L.height;
    const g = new Float64Array(6), H = new Float64Array(36);
    const dRgb = new Float32Array(n * 3), weights = new Float32Array(n);
    const d = this.dataTerm(color, L, dRgb, weights);
    const engine = (this.options.gradient ?? 'warp') === 'engine';
    if (engine) {
      await this.backwardOf(state, dRgb, L.background);
      const gm = await readF32(this.device, this.grads.means, 0, this.surface.count * 3);
      for (let k = 0; k < this.surface.count; k++) {
        const gx = gm[k * 3]!, gy = gm[k * 3 + 1]!, gz = gm[k * 3 + 2]!;
        if (gx === 0 && gy === 0 && gz === 0) continue;
        const ax = X[k * 3]! - c[0], ay = X[k * 3 + 1]! - c[1], az = X[k * 3 + 2]! - c[2];
        g[0]! += ay * gz - az * gy; g[1]! += az * gx - ax * gz; g[2]! += ax * gy - ay * gx;
        g[3]! += gx; g[4]! += gy; g[5]! += gz;
      }
    }
    // Gauss–Newton matrix of direct alignment: dI/dθ = −∇I · d(u, v)/dθ at the rendered surface point of each pixel
    const aux = await readF32(this.device, state.aux, 0, n * 4);
    forEachPoseRow(color, aux, L, c, (p) => weights[p]! > 0, (p, ch, row) => {
      rowsOut?.set(row, (p * 3 + ch) * 6);
      const k = 2 * weights[p]! * DATA_SCALE;
      if (!engine) { const r = k * (color[p * 4 + ch]! - L.target[p * 3 + ch]!); for (let j = 0; j < 6; j++) g[j]! += r * row[j]!; }
      for (let a = 0; a < 6; a++) { const ra = k * row[a]!; if (ra === 0) continue; for (let b = a; b < 6; b++) H[a * 6 + b]! += ra * row[b]!; }
    });
    for (let a = 0; a < 6; a++) for (let b = 0; b < a; b++) H[a * 6 + b] = H[b * 6 + a]!;
    const lin = { g, H };
    const cost = d.cost + this.prior(R, t, c, start, lin);
    return { cost, loss: d.loss, g, H, centre: c, weights };
  }

  /** Refines one frame's rigid pose (see the module comment). Call `buildAppearance` first. */
  async refine(frame: RefineFrame, signal?: AbortSignal): Promise<RefineResult> {
    const t0 = performance.now(), renders0 = this.renders;
    const { points } = this.modelPoints(frame.params);
    let R = poseMatrix(frame.pose);
    let t = Float64Array.from(frame.pose.translation);
    let lossBefore = NaN, lossAfter = NaN;
    for (const [li, level] of this.levels.entries()) {
      const L = this.prepareLevel(frame, level.size);
      await this.restrictToCoverage(points, L, R, t);
      let lin = await this.evaluate(points, L, R, t, frame.pose, true);
      const last = li === this.levels.length - 1;
      // the finest level's loss at the landmark pose, for reporting
      if (last) lossBefore = li === 0 ? lin.loss : (await this.evaluate(points, L, poseMatrix(frame.pose), frame.pose.translation, frame.pose, false)).loss;
      let mu = 1e-2;
      for (let it = 0; it < level.iterations; it++) {
        if (signal?.aborted) throw Object.assign(new Error('Refinement was cancelled.'), { name: 'AbortError' });
        let accepted = false;
        for (let tries = 0; tries < 4 && !accepted; tries++) {
          const A = Float64Array.from(lin.H);
          for (let i = 0; i < 6; i++) A[i * 6 + i] = lin.H[i * 6 + i]! * (1 + mu) + 1e-9;
          const d = Float64Array.from(lin.g, (x) => -x);
          if (!choleskySolve(A, d, 6)) { mu *= 10; continue; }
          const dR = rodrigues(d[0]!, d[1]!, d[2]!);
          const c = lin.centre;
          const tc = [t[0]! - c[0], t[1]! - c[1], t[2]! - c[2]];
          const Rn = mat3Mul(dR, R);
          const tn = Float64Array.from([0, 1, 2], (r) => dR[r * 3]! * tc[0]! + dR[r * 3 + 1]! * tc[1]! + dR[r * 3 + 2]! * tc[2]! + c[r]! + d[3 + r]!);
          const trial = await this.costAt(points, L, Rn, tn, frame.pose);
          if (trial.cost < lin.cost) {
            accepted = true;
            R = Rn; t = tn; mu = Math.max(1e-4, mu / 3);
            const small = Math.hypot(d[0]!, d[1]!, d[2]!) < 1e-4 && Math.hypot(d[3]!, d[4]!, d[5]!) < 1e-5;
            lin = await this.linearise(trial, L, frame.pose);
            if (small) it = level.iterations;
          } else mu *= 8;
        }
        if (!accepted) break;
      }
      if (last) lossAfter = lin.loss;
    }
    let params: HeadParams = frame.params;
    if (this.options.nonRigid) {
      const level = this.levels[this.levels.length - 1]!;
      const r = await this.refineNonRigid(frame, level.size, R, t, signal);
      R = r.R as Float64Array<ArrayBuffer>; t = r.t as Float64Array<ArrayBuffer>; params = r.params; lossAfter = r.loss;
    }
    const aa = rotationToAxisAngle(R);
    const R0 = poseMatrix(frame.pose);
    let tr = 0;
    for (let i = 0; i < 3; i++) tr += R[i * 3]! * R0[i * 3]! + R[i * 3 + 1]! * R0[i * 3 + 1]! + R[i * 3 + 2]! * R0[i * 3 + 2]!;
    return {
      pose: { rotation: [aa[0], aa[1], aa[2]], translation: [t[0]!, t[1]!, t[2]!] },
      params,
      lossBefore, lossAfter,
      rotationChangeDeg: (Math.acos(Math.max(-1, Math.min(1, (tr - 1) / 2))) * 180) / Math.PI,
      translationChange: Math.hypot(t[0]! - frame.pose.translation[0], t[1]! - frame.pose.translation[1], t[2]! - frame.pose.translation[2]),
      renders: this.renders - renders0,
      ms: performance.now() - t0,
    };
  }

  /** How many (leading) expression coefficients the non-rigid stage refines. */
  private nonRigidCount(): number {
    return Math.max(0, Math.min(this.model.expressionCount, this.options.nonRigid?.expressions ?? Infinity));
  }

  /** Expression + jaw-x vector of the non-rigid stage, and the head parameters it stands for. */
  private nonRigidParams(base: HeadParams, x: Float64Array): HeadParams {
    const E = this.nonRigidCount();
    const expression = new Float64Array(this.model.expressionCount);
    if (base.expression) for (let e = 0; e < expression.length; e++) expression[e] = base.expression[e] ?? 0;
    for (let e = 0; e < E; e++) expression[e] = x[e]!;
    const jointRotations = new Float64Array(15);
    if (base.jointRotations) for (let i = 0; i < 15; i++) jointRotations[i] = base.jointRotations[i] ?? 0;
    jointRotations[6] = x[E]!;
    return { shape: base.shape, expression, jointRotations };
  }

  /** Prior of the non-rigid stage: cost, and gradient/GN diagonal into slots 6.. of `lin`. */
  private nonRigidPrior(x: Float64Array, x0: Float64Array, lin?: { g: Float64Array; H: Float64Array; P: number }): number {
    const E = this.nonRigidCount();
    const se = this.options.nonRigid?.expressionSigma ?? 0.3, sj = this.options.nonRigid?.jawSigmaRad ?? 0.1;
    let cost = 0;
    for (let k = 0; k <= E; k++) {
      const w = 1 / (k < E ? se * se : sj * sj), d = x[k]! - x0[k]!;
      cost += w * d * d;
      if (lin) { lin.g[6 + k]! += 2 * w * d; lin.H[(6 + k) * lin.P + 6 + k]! += 2 * w; }
    }
    return cost;
  }

  /**
   * Joint Levenberg–Marquardt over the rigid pose and the expression + jaw opening at one level (see
   * `PhotometricRefineOptions.nonRigid`). Pose columns: direct alignment (as `linearise`); non-rigid columns: forward
   * differences of renders.
   */
  private async refineNonRigid(frame: RefineFrame, size: number, R0: Float64Array, t0: Float64Array, signal?: AbortSignal): Promise<{ R: Float64Array; t: Float64Array; params: HeadParams; loss: number }> {
    const E = this.nonRigidCount(), K = E + 1, P = 6 + K;
    const iterations = this.options.nonRigid?.iterations ?? 4;
    const x0 = new Float64Array(K);
    for (let e = 0; e < E; e++) x0[e] = frame.params.expression?.[e] ?? 0;
    x0[E] = frame.params.jointRotations?.[6] ?? 0;
    const range = this.model.expressionRange;
    const clampX = (x: Float64Array) => { for (let e = 0; e < E; e++) x[e] = Math.min(range[e * 2 + 1]!, Math.max(range[e * 2]!, x[e]!)); return x; };
    const steps = Float64Array.from({ length: K }, (_, k) => (k < E ? 0.05 : 0.01));
    const L = this.prepareLevel(frame, size);
    let R: Float64Array = R0, t: Float64Array = t0, x: Float64Array = Float64Array.from(x0);
    let points: Float64Array = this.modelPoints(this.nonRigidParams(frame.params, x)).points;
    await this.restrictToCoverage(points, L, R, t);
    let cur = await this.costAt(points, L, R, t, frame.pose);
    let cost = cur.cost + this.nonRigidPrior(x, x0);
    let mu = 1e-2;
    for (let it = 0; it < iterations; it++) {
      if (signal?.aborted) throw Object.assign(new Error('Refinement was cancelled.'), { name: 'AbortError' });
      // pose part (6×6 block, gradient) from the direct-alignment linearisation at the current render
      const base = Float32Array.from(cur.color);
      const n = L.width * L.height;
      const rows = new Float32Array(n * 3 * 6);
      const pose = await this.linearise(cur, L, frame.pose, rows);
      const { centre, weights } = pose;
      // non-rigid columns: forward differences of renders at the same pose
      const cols: Float32Array[] = [];
      for (let k = 0; k < K; k++) {
        const xp = Float64Array.from(x);
        xp[k]! += steps[k]!;
        const pp = this.modelPoints(this.nonRigidParams(frame.params, xp)).points;
        const { state } = await this.renderAt(pp, R, t, L.width, L.height, L.K, L.background);
        const c = await readF32(this.device, state.color, 0, n * 4);
        const col = new Float32Array(n * 3);
        for (let p = 0; p < n; p++) if (weights[p]! > 0) for (let ch = 0; ch < 3; ch++) col[p * 3 + ch] = (c[p * 4 + ch]! - base[p * 4 + ch]!) / steps[k]!;
        cols.push(col);
      }
      // the pose rows fill the cross terms with the non-rigid columns
      const g = new Float64Array(P), H = new Float64Array(P * P);
      for (let a = 0; a < 6; a++) { g[a] = pose.g[a]!; for (let b = 0; b < 6; b++) H[a * P + b] = pose.H[a * 6 + b]!; }
      for (let p = 0; p < n; p++) {
        const w = weights[p]!;
        if (!(w > 0)) continue;
        const kw = 2 * w * DATA_SCALE;
        for (let ch = 0; ch < 3; ch++) {
          const res = base[p * 4 + ch]! - L.target[p * 3 + ch]!;
          for (let k = 0; k < K; k++) {
            const jk = cols[k]![p * 3 + ch]!;
            if (jk === 0) continue;
            g[6 + k]! += kw * res * jk;
            for (let l = k; l < K; l++) H[(6 + k) * P + 6 + l]! += kw * jk * cols[l]![p * 3 + ch]!;
            for (let a = 0; a < 6; a++) H[a * P + 6 + k]! += kw * rows[(p * 3 + ch) * 6 + a]! * jk;
          }
        }
      }
      for (let a = 0; a < P; a++) for (let b = 0; b < a; b++) H[a * P + b] = H[b * P + a]!;
      this.nonRigidPrior(x, x0, { g, H, P });
      let accepted = false;
      for (let tries = 0; tries < 4 && !accepted; tries++) {
        const A = Float64Array.from(H);
        for (let i = 0; i < P; i++) A[i * P + i] = H[i * P + i]! * (1 + mu) + 1e-9;
        const d = Float64Array.from(g, (v) => -v);
        if (!choleskySolve(A, d, P)) { mu *= 10; continue; }
        const dR = rodrigues(d[0]!, d[1]!, d[2]!);
        const tc = [t[0]! - centre[0], t[1]! - centre[1], t[2]! - centre[2]];
        const Rn = mat3Mul(dR, R);
        const tn = Float64Array.from([0, 1, 2], (r) => dR[r * 3]! * tc[0]! + dR[r * 3 + 1]! * tc[1]! + dR[r * 3 + 2]! * tc[2]! + centre[r]! + d[3 + r]!);
        const xn = clampX(Float64Array.from(x, (v, k) => v + d[6 + k]!));
        const pn = this.modelPoints(this.nonRigidParams(frame.params, xn)).points;
        const trial = await this.costAt(pn, L, Rn, tn, frame.pose);
        const trialCost = trial.cost + this.nonRigidPrior(xn, x0);
        if (trialCost < cost) {
          accepted = true;
          R = Rn; t = tn; x = xn; points = pn; cur = trial; cost = trialCost; mu = Math.max(1e-4, mu / 3);
        } else mu *= 8;
      }
      if (!accepted) break;
    }
    return { R, t, params: this.nonRigidParams(frame.params, x), loss: cur.loss };
  }

  /** Model-space points of a frame's non-rigid parameters (for `evaluate` in tests). */
  pointsFor(params: HeadParams): Float64Array {
    return this.modelPoints(params).points;
  }

  destroy(): void {
    this.dRgb?.destroy();
    this.grads.destroy();
    this.backward.destroy();
    this.renderer.destroy();
    this.scene.destroy();
  }
}

/**
 * Direct alignment's pose rows: for every covered pixel (rendered alpha > ½) that `keep` accepts and each colour channel,
 * dI/dθ = −∇I · d(u, v)/dθ (θ = rotation about `c`, then translation) at the pixel's rendered surface point (depth from
 * `aux`), image gradient by central differences. `visit` gets a reused row buffer.
 */
function forEachPoseRow(
  color: Float32Array,
  aux: Float32Array,
  L: Pick<Level, 'width' | 'height' | 'K'>,
  c: ArrayLike<number>,
  keep: (p: number) => boolean,
  visit: (p: number, ch: number, row: Float64Array) => void,
): void {
  const { width: W, height: Hh, K } = L;
  const row = new Float64Array(6), du = new Float64Array(6), dv = new Float64Array(6);
  for (let y = 0; y < Hh; y++)
    for (let x = 0; x < W; x++) {
      const p = y * W + x;
      if (!keep(p)) continue;
      const alpha = color[p * 4 + 3]!;
      if (!(alpha > 0.5)) continue;
      const z = aux[p * 4]! / alpha;
      const Xx = ((x + 0.5 - K.cx) / K.fx) * z, Xy = ((y + 0.5 - K.cy) / K.fy) * z;
      const A = negSkew(Xx - c[0]!, Xy - c[1]!, z - c[2]!);
      const a0 = K.fx / z, a2 = (-K.fx * Xx) / (z * z), b1 = K.fy / z, b2 = (-K.fy * Xy) / (z * z);
      for (let j = 0; j < 3; j++) { du[j] = a0 * A[0]![j]! + a2 * A[2]![j]!; dv[j] = b1 * A[1]![j]! + b2 * A[2]![j]!; }
      du[3] = a0; du[4] = 0; du[5] = a2; dv[3] = 0; dv[4] = b1; dv[5] = b2;
      const xl = Math.max(0, x - 1), xr = Math.min(W - 1, x + 1), yu = Math.max(0, y - 1), yd = Math.min(Hh - 1, y + 1);
      for (let ch = 0; ch < 3; ch++) {
        const gu = (color[(y * W + xr) * 4 + ch]! - color[(y * W + xl) * 4 + ch]!) / (xr - xl);
        const gv = (color[(yd * W + x) * 4 + ch]! - color[(yu * W + x) * 4 + ch]!) / (yd - yu);
        for (let j = 0; j < 6; j++) row[j] = -(gu * du[j]! + gv * dv[j]!);
        visit(p, ch, row);
      }
    }
}
