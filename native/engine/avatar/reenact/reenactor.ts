/**
 * The stateful driver shared by the live page, the drive job and bench/live: calibration ("hold a neutral face" for N
 * frames, or automatically on the first frames), per-frame retargeting, One Euro smoothing of the output, holding the
 * last pose over untracked frames.
 */
import { CalibrationCollector, type DriverCalibration, type DriverFrame } from './calibration';
import { neutralParams, prepareSpace, retarget, type AvatarExpressionSpace, type AvatarHeadParams, type RetargetOptions } from './retarget';
import { smoothingSettings, VectorOneEuro } from './one-euro';

export interface ReenactorOptions extends RetargetOptions {
  /** 0 = no smoothing … 1 = heaviest. Default 0.5. */
  smoothing?: number;
  /** Frames averaged by a calibration. Default 30. */
  calibrationFrames?: number;
  /** Start calibrating on the first frames when there is no calibration (file driving). Default false. */
  autoCalibrate?: boolean;
}

/**
 * Live webcam driving as the studio's Live page and the exported web player start it: expressions as tracked, the
 * head following the driver, light smoothing, mirrored like a mirror, and a neutral of 15 frames (≈ 0.5 s),
 * calibrated automatically on the first frames or again on "Hold a neutral face".
 */
export const LIVE_DRIVING = { intensity: 1, followPose: true, smoothing: 0.3, mirror: true, calibrationFrames: 15 } as const;

export type ReenactPhase = 'uncalibrated' | 'calibrating' | 'driving';

export interface ReenactStep {
  phase: ReenactPhase;
  /** 0..1 while calibrating. */
  calibrationProgress: number;
  /** This frame had landmarks (false: the last parameters are held). */
  tracked: boolean;
  /** The avatar's parameters for this frame (neutral until calibrated). */
  params: AvatarHeadParams;
}

/** Channel layout of the smoothed vector: K expression, 6 eyes, 3 rotation, 3 translation. */
function channelScales(K: number): Float64Array {
  const s = new Float64Array(K + 12);
  s.fill(1, 0, K);
  s.fill(0.2, K, K + 9); // radians
  s.fill(0.02, K + 9); // metres
  return s;
}

export class Reenactor {
  private options: ReenactorOptions;
  private calibration: DriverCalibration | null = null;
  private collector: CalibrationCollector | null = null;
  private filter: VectorOneEuro | null = null;
  private last: AvatarHeadParams;
  private readonly scales: Float64Array;

  constructor(readonly space: AvatarExpressionSpace, options: ReenactorOptions = {}) {
    this.options = { ...options };
    this.scales = channelScales(space.count);
    this.last = neutralParams(space, options.avatarNeutral);
    this.updateFilter();
    prepareSpace(space); // the projector (≈ 0.1 s for 24 components) now, not on the first driven frame
  }

  get phase(): ReenactPhase {
    return this.collector ? 'calibrating' : this.calibration ? 'driving' : 'uncalibrated';
  }

  get currentOptions(): Readonly<ReenactorOptions> {
    return this.options;
  }

  get currentCalibration(): DriverCalibration | null {
    return this.calibration;
  }

  /** Changes options live (intensity, pose follow, mirror, smoothing…); mirror needs no recalibration. */
  setOptions(patch: Partial<ReenactorOptions>): void {
    const smoothingChanged = patch.smoothing !== undefined && patch.smoothing !== this.options.smoothing;
    this.options = { ...this.options, ...patch };
    if (smoothingChanged) this.updateFilter();
  }

  /** "Hold a neutral face": the next `frames` tracked frames become the calibration. */
  startCalibration(frames = this.options.calibrationFrames ?? 30): void {
    this.collector = new CalibrationCollector(frames);
  }

  setCalibration(calibration: DriverCalibration | null): void {
    this.calibration = calibration;
    this.collector = null;
    this.filter?.reset();
  }

  /** Feeds one frame (null = no face on it) taken at `time` seconds. */
  step(frame: DriverFrame | null, time: number): ReenactStep {
    if (!this.calibration && !this.collector && this.options.autoCalibrate) this.startCalibration();
    if (this.collector) {
      if (frame) this.collector.add(frame);
      const progress = this.collector.progress;
      if (this.collector.done) {
        this.calibration = this.collector.finish();
        this.collector = null;
        this.filter?.reset();
      } else {
        this.last = neutralParams(this.space, this.options.avatarNeutral);
        return { phase: 'calibrating', calibrationProgress: progress, tracked: !!frame, params: this.last };
      }
    }
    if (!this.calibration) return { phase: 'uncalibrated', calibrationProgress: 0, tracked: !!frame, params: this.last };
    if (!frame) return { phase: 'driving', calibrationProgress: 1, tracked: false, params: this.last };
    const p = retarget(frame, this.calibration, this.space, this.options);
    this.last = this.filter ? this.smooth(p, time) : p;
    return { phase: 'driving', calibrationProgress: 1, tracked: true, params: this.last };
  }

  private updateFilter(): void {
    const settings = smoothingSettings(this.options.smoothing ?? 0.5);
    this.filter = settings ? new VectorOneEuro(settings, this.scales) : null;
  }

  private smooth(p: AvatarHeadParams, time: number): AvatarHeadParams {
    const K = this.space.count;
    const v = new Float64Array(K + 12);
    v.set(p.expression, 0);
    v.set(p.eyes, K);
    v.set(p.rotation, K + 6);
    v.set(p.translation, K + 9);
    this.filter!.filter(v, time);
    const at = (i: number) => v[i]!;
    return {
      ...p,
      expression: Float32Array.from(v.subarray(0, K)),
      eyes: [at(K), at(K + 1), at(K + 2), at(K + 3), at(K + 4), at(K + 5)],
      rotation: [at(K + 6), at(K + 7), at(K + 8)],
      translation: [at(K + 9), at(K + 10), at(K + 11)],
    };
  }
}
