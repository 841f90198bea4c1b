/**
 * The per-frame face tracking pipeline, platform-neutral (no Node imports): BlazeFace detection (when tracking is lost,
 * periodically, or on every frame if asked), the 468-point face mesh on a rotated square crop, the iris model on both
 * eyes (→ 478 points), One Euro smoothing, and person segmentation. The models run through an injected `ModelBackend`:
 * onnxruntime-node in the studio's services (`Tracker`, src/main/services/tracking/tracker.ts), onnxruntime-web in the
 * web player and the Live page's worker (web-tracker.ts).
 *
 * Robustness: a frame that holds no face, or whose crop the mesh rejects, is returned untracked with a reason, never
 * thrown; the next frame re-detects. Only a failing backend throws.
 */
import { decodeDetections, blazefaceAnchors, DETECTOR_SIZE, iou, toSourceFace, weightedNms } from './detector';
import { applyAffine, cropAffine, meanLuma, warpToTensor, type Affine } from './affine';
import type { ModelName } from './models';
import { OneEuroFilter } from './one-euro';
import type { DetectedFace, FaceBox, FrameTrack, RgbImage, TrackOptions, TrackWarning } from './types';

/** Runs one model on one NHWC float32 input; returns its outputs in the model's output order. */
export interface ModelBackend {
  run(model: ModelName, input: Float32Array, dims: number[]): Promise<Float32Array[]>;
}

export const MESH_SIZE = 192;
export const IRIS_SIZE = 64;
export const SEG_SIZE = 256;
export const MESH_POINTS = 468;
export const ALL_POINTS = 478;
/** eye corner landmarks: [inner, outer] of the eye whose iris becomes points 468–472, then 473–477 */
const EYES = [
  { corners: [133, 33], flip: false },
  { corners: [362, 263], flip: true },
] as const;
const ROI_SCALE = 1.5;
const IRIS_SCALE = 2.3;

interface Roi {
  cx: number;
  cy: number;
  side: number;
  theta: number;
}

export class FrameTracker {
  private readonly anchors = blazefaceAnchors();
  /** The per-frame options (fps, threads, maskDir and signal belong to the capture loop, not here). */
  private readonly opts: Required<Omit<TrackOptions, 'modelsDir' | 'maskDir' | 'pick' | 'signal' | 'smoothing' | 'fps' | 'threads'>> & Pick<TrackOptions, 'pick'>;
  private readonly filter: OneEuroFilter | undefined;
  private prev: Float32Array | undefined;
  private prevBox: FaceBox | undefined;
  private sinceDetect = 0;
  private picked = false;
  // reusable input buffers
  private readonly detIn = new Float32Array(DETECTOR_SIZE * DETECTOR_SIZE * 3);
  private readonly meshIn = new Float32Array(MESH_SIZE * MESH_SIZE * 3);
  private readonly irisIn = new Float32Array(2 * IRIS_SIZE * IRIS_SIZE * 3);
  private readonly segIn = new Float32Array(SEG_SIZE * SEG_SIZE * 3);

  constructor(
    private readonly backend: ModelBackend,
    options: TrackOptions,
  ) {
    this.opts = {
      mask: options.mask ?? true,
      iris: options.iris ?? true,
      minDetectionScore: options.minDetectionScore ?? 0.5,
      minConfidence: options.minConfidence ?? 0.5,
      detectEveryFrame: options.detectEveryFrame ?? false,
      redetectEvery: options.redetectEvery ?? 30,
      pick: options.pick,
      darkThreshold: options.darkThreshold ?? 25,
    };
    const s = options.smoothing;
    this.filter = s === false ? undefined : new OneEuroFilter({ minCutoff: s?.minCutoff ?? 1, beta: s?.beta ?? 0.05, dCutoff: s?.dCutoff ?? 1 });
  }

  /** Forget the face being tracked (the next frame runs the detector). */
  reset() {
    this.prev = undefined;
    this.prevBox = undefined;
    this.filter?.reset();
  }

  /** Runs the detector on a whole image; faces in source pixels, largest first. */
  async detect(img: RgbImage): Promise<DetectedFace[]> {
    const side = Math.max(img.width, img.height);
    const scale = side / DETECTOR_SIZE;
    const offX = (img.width - side) / 2;
    const offY = (img.height - side) / 2;
    // letterbox: the square around the image centre, black outside
    const m: Affine = [scale, 0, offX, 0, scale, offY];
    warpToTensor(img, m, DETECTOR_SIZE, DETECTOR_SIZE, 1 / 127.5, -1, this.detIn);
    const out = (await this.backend.run('blazeface', this.detIn, [1, DETECTOR_SIZE, DETECTOR_SIZE, 3]));
    const n512 = 512;
    const n384 = 384;
    const find = (len: number) => {
      const t = out.find((o) => o.length === len);
      if (!t) throw new Error(`face detector: no output of ${len} values`);
      return t;
    };
    const scores = new Float32Array(n512 + n384);
    scores.set(find(n512), 0);
    scores.set(find(n384), n512);
    const regs = new Float32Array((n512 + n384) * 16);
    regs.set(find(n512 * 16), 0);
    regs.set(find(n384 * 16), n512 * 16);
    const raw = decodeDetections(scores, regs, this.anchors, this.opts.minDetectionScore);
    const faces = weightedNms(raw, 0.3).map((d) => toSourceFace(d, scale, offX, offY));
    return faces.sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height);
  }

  private roiFromDetection(f: DetectedFace): Roi {
    const [re, le] = f.keypoints;
    const theta = Math.atan2(le![1] - re![1], le![0] - re![0]);
    return { cx: f.box.x + f.box.width / 2, cy: f.box.y + f.box.height / 2, side: Math.max(f.box.width, f.box.height) * ROI_SCALE, theta };
  }

  private roiFromLandmarks(p: Float32Array): Roi {
    const theta = Math.atan2(p[263 * 3 + 1]! - p[33 * 3 + 1]!, p[263 * 3]! - p[33 * 3]!);
    const c = Math.cos(theta);
    const s = Math.sin(theta);
    let u0 = Infinity;
    let u1 = -Infinity;
    let v0 = Infinity;
    let v1 = -Infinity;
    for (let i = 0; i < MESH_POINTS; i++) {
      const x = p[3 * i]!;
      const y = p[3 * i + 1]!;
      const u = x * c + y * s;
      const v = -x * s + y * c;
      u0 = Math.min(u0, u);
      u1 = Math.max(u1, u);
      v0 = Math.min(v0, v);
      v1 = Math.max(v1, v);
    }
    const uc = (u0 + u1) / 2;
    const vc = (v0 + v1) / 2;
    return { cx: uc * c - vc * s, cy: uc * s + vc * c, side: Math.max(u1 - u0, v1 - v0) * ROI_SCALE, theta };
  }

  private async mesh(img: RgbImage, roi: Roi): Promise<{ confidence: number; points: Float32Array }> {
    const m = cropAffine(roi.cx, roi.cy, roi.side, roi.theta, MESH_SIZE);
    warpToTensor(img, m, MESH_SIZE, MESH_SIZE, 1 / 255, 0, this.meshIn);
    const out = (await this.backend.run('facemesh', this.meshIn, [1, MESH_SIZE, MESH_SIZE, 3]));
    const flag = out.find((o) => o.length === 1)!;
    const mesh = out.find((o) => o.length === MESH_POINTS * 3)!;
    const points = new Float32Array(ALL_POINTS * 3);
    const zs = roi.side / MESH_SIZE;
    for (let i = 0; i < MESH_POINTS; i++) {
      const [x, y] = applyAffine(m, mesh[3 * i]!, mesh[3 * i + 1]!);
      points[3 * i] = x;
      points[3 * i + 1] = y;
      points[3 * i + 2] = mesh[3 * i + 2]! * zs;
    }
    return { confidence: flag[0]!, points };
  }

  /** Refines iris points 468–477 (and returns the eye contours) from the iris model on both eyes. */
  private async iris(img: RgbImage, points: Float32Array, theta: number) {
    const affines: Affine[] = [];
    EYES.forEach((eye, k) => {
      const [a, b] = eye.corners;
      const ax = points[3 * a]!;
      const ay = points[3 * a + 1]!;
      const bx = points[3 * b]!;
      const by = points[3 * b + 1]!;
      const side = Math.hypot(bx - ax, by - ay) * IRIS_SCALE;
      const m = cropAffine((ax + bx) / 2, (ay + by) / 2, side, theta, IRIS_SIZE, eye.flip);
      affines.push(m);
      warpToTensor(img, m, IRIS_SIZE, IRIS_SIZE, 1 / 255, 0, this.irisIn.subarray(k * IRIS_SIZE * IRIS_SIZE * 3, (k + 1) * IRIS_SIZE * IRIS_SIZE * 3));
    });
    const out = (await this.backend.run('iris', this.irisIn, [2, IRIS_SIZE, IRIS_SIZE, 3]))[0]!;
    const per = 76 * 3;
    const irisPts = new Float32Array(10 * 3);
    const contours = new Float32Array(71 * 3 * 2);
    EYES.forEach((eye, k) => {
      const m = affines[k]!;
      const [a, b] = eye.corners;
      const side = Math.hypot(points[3 * b]! - points[3 * a]!, points[3 * b + 1]! - points[3 * a + 1]!) * IRIS_SCALE;
      const zs = side / IRIS_SIZE;
      const zEye = (points[3 * a + 2]! + points[3 * b + 2]!) / 2;
      for (let i = 0; i < 76; i++) {
        const [x, y] = applyAffine(m, out[k * per + 3 * i]!, out[k * per + 3 * i + 1]!);
        const z = out[k * per + 3 * i + 2]! * zs;
        if (i < 71) contours.set([x, y, z], (k * 71 + i) * 3);
        else {
          const j = (k * 5 + (i - 71)) * 3;
          irisPts[j] = x;
          irisPts[j + 1] = y;
          irisPts[j + 2] = zEye;
        }
      }
    });
    points.set(irisPts, MESH_POINTS * 3);
    return { points: irisPts, eyeContours: contours };
  }

  private async segment(img: RgbImage) {
    const m: Affine = [img.width / SEG_SIZE, 0, 0, 0, img.height / SEG_SIZE, 0];
    warpToTensor(img, m, SEG_SIZE, SEG_SIZE, 1 / 255, 0, this.segIn);
    const out = (await this.backend.run('selfie', this.segIn, [1, SEG_SIZE, SEG_SIZE, 3]))[0]!;
    const data = new Uint8Array(SEG_SIZE * SEG_SIZE);
    for (let i = 0; i < data.length; i++) data[i] = Math.round(Math.min(1, Math.max(0, out[i]!)) * 255);
    return { width: SEG_SIZE, height: SEG_SIZE, data };
  }

  private choose(faces: DetectedFace[]): number {
    if (!faces.length) return -1;
    if (this.prevBox) {
      const pb = this.prevBox;
      const r = (b: FaceBox) => ({ x0: b.x, y0: b.y, x1: b.x + b.width, y1: b.y + b.height });
      let best = 0;
      let bestIou = -1;
      faces.forEach((f, i) => {
        const v = iou(r(f.box), r(pb));
        if (v > bestIou) {
          bestIou = v;
          best = i;
        }
      });
      if (bestIou > 0.1) return best;
    }
    if (this.opts.pick && !this.picked) {
      const { x, y } = this.opts.pick;
      const inside = faces.findIndex((f) => x >= f.box.x && x <= f.box.x + f.box.width && y >= f.box.y && y <= f.box.y + f.box.height);
      if (inside >= 0) {
        this.picked = true;
        return inside;
      }
    }
    return 0; // largest
  }

  /** Tracks one decoded frame. */
  async track(img: RgbImage, index: number, time: number): Promise<FrameTrack> {
    const t0 = performance.now();
    const brightness = meanLuma(img);
    const dark = brightness < this.opts.darkThreshold;
    const warnings: TrackWarning[] = [];
    if (dark) warnings.push('dark');
    let faces: DetectedFace[] = [];
    let chosen = -1;
    let detectorRan = false;
    const runDetector = async () => {
      faces = await this.detect(img);
      detectorRan = true;
      this.sinceDetect = 0;
      chosen = this.choose(faces);
    };
    const wasTracking = !!this.prev;
    if (!this.prev || this.opts.detectEveryFrame || (this.opts.redetectEvery > 0 && this.sinceDetect >= this.opts.redetectEvery)) await runDetector();
    this.sinceDetect++;

    let roi: Roi | undefined;
    if (this.prev && (!detectorRan || chosen >= 0)) roi = this.roiFromLandmarks(this.prev);
    else if (chosen >= 0) roi = this.roiFromDetection(faces[chosen]!);

    let fromDetection = !!roi && !(this.prev && (!detectorRan || chosen >= 0));
    let result = roi ? await this.mesh(img, roi) : undefined;
    if (result && result.confidence < this.opts.minConfidence && wasTracking) {
      // tracking lost: find the face again on this frame
      this.reset();
      if (!detectorRan) await runDetector();
      if (chosen >= 0) {
        roi = this.roiFromDetection(faces[chosen]!);
        result = await this.mesh(img, roi);
        fromDetection = true;
        warnings.push('redetected');
      }
    }
    if (result && roi && fromDetection && result.confidence < 0.9) {
      // the detector's box is coarse: one more pass on the crop the first mesh suggests (what the next frame
      // would do), kept when the mesh is surer of it
      const roi2 = this.roiFromLandmarks(result.points);
      const again = await this.mesh(img, roi2);
      if (again.confidence > result.confidence) {
        result = again;
        roi = roi2;
      }
    }
    if (faces.length > 1) warnings.push('several-faces');

    const frame: FrameTrack = {
      index,
      time,
      width: img.width,
      height: img.height,
      tracked: false,
      warnings,
      faces,
      chosenFace: chosen,
      detectorRan,
      confidence: result?.confidence ?? 0,
      brightness,
      ms: 0,
    };
    if (!result || !roi || result.confidence < this.opts.minConfidence) {
      frame.reason = !faces.length && !result ? (dark ? 'too-dark' : 'no-face') : 'low-confidence';
      if (!faces.length && detectorRan) frame.reason = dark ? 'too-dark' : 'no-face';
      this.reset();
    } else {
      const points = result.points;
      // a refined ROI for the iris: the eye line of the mesh
      const theta = Math.atan2(points[263 * 3 + 1]! - points[33 * 3 + 1]!, points[263 * 3]! - points[33 * 3]!);
      if (this.opts.iris) frame.iris = await this.iris(img, points, theta);
      else fillIrisFromMesh(points);
      frame.rawLandmarks = points;
      const box = landmarkBox(points);
      const scale = Math.max(1, Math.max(box.width, box.height) / 100);
      frame.landmarks = this.filter ? this.filter.filter(points, time, scale) : Float32Array.from(points);
      frame.box = box;
      frame.tracked = true;
      frame.pose = estimatePose(points, theta);
      if (Math.abs(frame.pose.yaw) > (55 * Math.PI) / 180) warnings.push('profile');
      // face leaving the frame: a quarter of the crop outside the image, or landmarks past the border
      const half = roi.side / 2;
      const inside = Math.max(0, Math.min(img.width, roi.cx + half) - Math.max(0, roi.cx - half)) * Math.max(0, Math.min(img.height, roi.cy + half) - Math.max(0, roi.cy - half));
      if (inside < 0.75 * roi.side * roi.side || box.x < 0 || box.y < 0 || box.x + box.width > img.width || box.y + box.height > img.height) warnings.push('partial-face');
      this.prev = points;
      this.prevBox = box;
    }
    if (this.opts.mask) frame.mask = await this.segment(img);
    frame.ms = performance.now() - t0;
    return frame;
  }
}

/** Without the iris model: iris centre = eye-corner midpoint, contour = 4 points around it. */
function fillIrisFromMesh(points: Float32Array) {
  EYES.forEach((eye, k) => {
    const [a, b] = eye.corners;
    const cx = (points[3 * a]! + points[3 * b]!) / 2;
    const cy = (points[3 * a + 1]! + points[3 * b + 1]!) / 2;
    const cz = (points[3 * a + 2]! + points[3 * b + 2]!) / 2;
    const r = Math.hypot(points[3 * b]! - points[3 * a]!, points[3 * b + 1]! - points[3 * a + 1]!) * 0.2;
    const offs = [
      [0, 0],
      [r, 0],
      [0, -r],
      [-r, 0],
      [0, r],
    ];
    offs.forEach(([dx, dy], i) => points.set([cx + dx!, cy + dy!, cz], (MESH_POINTS + k * 5 + i) * 3));
  });
}

export function landmarkBox(p: Float32Array, count = MESH_POINTS): FaceBox {
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (let i = 0; i < count; i++) {
    x0 = Math.min(x0, p[3 * i]!);
    x1 = Math.max(x1, p[3 * i]!);
    y0 = Math.min(y0, p[3 * i + 1]!);
    y1 = Math.max(y1, p[3 * i + 1]!);
  }
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/** Rough head rotation from the mesh: yaw from the cheek-to-cheek vector (234→454), pitch from forehead→chin (10→152). */
export function estimatePose(p: Float32Array, roll: number) {
  const v = (i: number, j: number) => [p[3 * j]! - p[3 * i]!, p[3 * j + 1]! - p[3 * i + 1]!, p[3 * j + 2]! - p[3 * i + 2]!] as const;
  const c = Math.cos(-roll);
  const s = Math.sin(-roll);
  const rot = ([x, y, z]: readonly [number, number, number]) => [x * c - y * s, x * s + y * c, z] as const;
  const across = rot(v(234, 454));
  const down = rot(v(10, 152));
  const yaw = Math.atan2(across[2], across[0]);
  const pitch = Math.atan2(-down[2], down[1]);
  return { yaw, pitch, roll };
}

