/**
 * Driver landmarks → the avatar's head, relative to the driver's calibrated neutral face (the GEM way: what drives the
 * avatar is the change from the neutral, so another person's face shape does not leak in). Pure, no DOM.
 *
 * Driven today: the jaw (inner-lip gap 13↔14 in inter-ocular units, above the neutral's gap) and the head rotation
 * (the tracker's yaw/pitch/roll minus the neutral's). Both are clamped (jaw to the viewport's range, rotation to
 * ±MAX_ROTATION) so a stranger's face or a tracking glitch cannot throw the avatar out of what it was trained on.
 */
import { OneEuroFilter } from '../../../../main/services/tracking/one-euro';
import { JAW_OPEN_MAX } from '../viewport/headRig';

/** What one tracked frame says about the driver's face. */
export interface DriverMeasure {
  /** Inner-lip gap (landmarks 13↔14) over the inter-ocular distance (33↔263). */
  mouthGap: number;
  /** Inter-ocular distance in frame pixels. */
  iod: number;
  yaw: number;
  pitch: number;
  roll: number;
}

/** The driver's neutral face: the median of the calibration frames. */
export interface DriverNeutral extends DriverMeasure {
  frames: number;
  /** True when taken by "Hold a neutral face", false when guessed from the first tracked frames. */
  calibrated: boolean;
}

export interface DriveSettings {
  /** Expression intensity: scales the change from the neutral (0–2, 1 = as tracked). */
  intensity: number;
  /** Follow the driver's head rotation (off: the avatar stays frontal). */
  followPose: boolean;
  /** 0 = raw, 1 = heavy smoothing (One Euro cutoff from 10 Hz down to 0.25 Hz). */
  smoothing: number;
  /** Mirror the driver left↔right (a selfie view). */
  mirror: boolean;
}

export const DEFAULT_SETTINGS: DriveSettings = { intensity: 1, followPose: true, smoothing: 0.3, mirror: true };

/** Jaw angle (radians) per inter-ocular unit of extra lip gap: a wide-open mouth (≈ 0.5 iod) opens the jaw fully. */
export const JAW_GAIN = 1.0;
/** Largest head rotation followed, per axis (radians). */
export const MAX_ROTATION = (35 * Math.PI) / 180;

export interface LiveHeadPose {
  /** Jaw opening about the jaw joint's x axis (radians, 0…JAW_OPEN_MAX). */
  jaw: number;
  /** Head rotation in the viewport's world (row-major 3×3), or null when pose follow is off. */
  rotation: number[] | null;
  /** The change from the neutral, for the overlay: mouth gap in iod units and angles in radians. */
  delta: { mouth: number; yaw: number; pitch: number; roll: number };
}

const dist = (p: ArrayLike<number>, i: number, j: number) => Math.hypot(p[3 * i] - p[3 * j], p[3 * i + 1] - p[3 * j + 1]);

/** Measures one frame's 478 landmarks (x, y, z per point) and the tracker's rough pose. */
export function measure(landmarks: ArrayLike<number>, pose: { yaw: number; pitch: number; roll: number }): DriverMeasure {
  if (landmarks.length < 478 * 3) throw new Error(`Expected 478 landmarks, got ${Math.floor(landmarks.length / 3)}.`);
  const iod = Math.max(1e-6, dist(landmarks, 33, 263));
  return { mouthGap: dist(landmarks, 13, 14) / iod, iod, yaw: pose.yaw, pitch: pose.pitch, roll: pose.roll };
}

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** The neutral face from calibration frames (median per measure: robust to a blink or a glitch). */
export function neutralFrom(measures: DriverMeasure[], calibrated: boolean): DriverNeutral {
  if (!measures.length) throw new Error('No tracked frames to take the neutral face from.');
  const pick = (k: keyof DriverMeasure) => median(measures.map((m) => m[k]));
  return { mouthGap: pick('mouthGap'), iod: pick('iod'), yaw: pick('yaw'), pitch: pick('pitch'), roll: pick('roll'), frames: measures.length, calibrated };
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/**
 * Row-major rotation in the viewport's world (+y up, +z towards the viewer) for tracker angles. The tracker's angles
 * live in the image's OpenCV frame (x right, y down, z away): there R_cv = Rz(roll)·Ry(−yaw)·Rx(−pitch), and the
 * world sees F·R_cv·F with F = diag(1, −1, −1).
 */
export function worldRotation(yaw: number, pitch: number, roll: number): number[] {
  const cy = Math.cos(-yaw), sy = Math.sin(-yaw), cp = Math.cos(-pitch), sp = Math.sin(-pitch), cr = Math.cos(roll), sr = Math.sin(roll);
  const Rz = [cr, -sr, 0, sr, cr, 0, 0, 0, 1];
  const Ry = [cy, 0, sy, 0, 1, 0, -sy, 0, cy];
  const Rx = [1, 0, 0, 0, cp, -sp, 0, sp, cp];
  const R = mul(mul(Rz, Ry), Rx);
  const f = [1, -1, -1];
  return R.map((v, k) => v * f[Math.floor(k / 3)] * f[k % 3]);
}

function mul(a: number[], b: number[]): number[] {
  const o = new Array<number>(9).fill(0);
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) for (let k = 0; k < 3; k++) o[r * 3 + c] += a[r * 3 + k] * b[k * 3 + c];
  return o;
}

/** The avatar's jaw and head rotation for one measure, relative to `neutral`, with `settings` applied (no smoothing). */
export function retarget(m: DriverMeasure, neutral: DriverNeutral, settings: DriveSettings): LiveHeadPose {
  const s = settings.mirror ? -1 : 1;
  const delta = {
    mouth: m.mouthGap - neutral.mouthGap,
    yaw: s * clamp(m.yaw - neutral.yaw, -MAX_ROTATION, MAX_ROTATION),
    pitch: clamp(m.pitch - neutral.pitch, -MAX_ROTATION, MAX_ROTATION),
    roll: s * clamp(m.roll - neutral.roll, -MAX_ROTATION, MAX_ROTATION),
  };
  const jaw = clamp(settings.intensity * JAW_GAIN * Math.max(0, delta.mouth), 0, JAW_OPEN_MAX);
  return { jaw, rotation: settings.followPose ? worldRotation(delta.yaw, delta.pitch, delta.roll) : null, delta };
}

/** One Euro smoothing of the driven channels (mouth, yaw, pitch, roll) before retargeting; `smoothing` 0 passes through. */
export class DriveSmoother {
  private filter: OneEuroFilter | null = null;
  private level = -1;

  apply(m: DriverMeasure, timeSec: number, smoothing: number): DriverMeasure {
    if (smoothing <= 0) {
      this.filter = null;
      this.level = -1;
      return m;
    }
    if (!this.filter || smoothing !== this.level) {
      this.filter = new OneEuroFilter({ minCutoff: 10 * Math.pow(0.025, smoothing), beta: 0.5, dCutoff: 1 });
      this.level = smoothing;
    }
    const out = this.filter.filter(Float32Array.of(m.mouthGap, m.yaw, m.pitch, m.roll), timeSec, 1);
    return { ...m, mouthGap: out[0], yaw: out[1], pitch: out[2], roll: out[3] };
  }

  reset(): void {
    this.filter = null;
  }
}
