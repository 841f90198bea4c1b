/**
 * The live driving loop, written once for the studio's Live page and the exported web player: take a new video frame
 * → track it → the reenactment core's `Reenactor` (native/engine/avatar/reenact: calibration, retargeting, clamping,
 * gaze, head pose, mirror, smoothing) → the avatar's parameters, handed to the app, which poses and renders them.
 *
 * The loop holds what both pages share: one frame tracked at a time (the next is taken only when the last is done, so
 * a slow machine drops camera frames instead of queueing them), the tracker told to forget its face on the first
 * frame of each run, the reenactor and its calibration (automatic on the first frames, "Hold a neutral face" on
 * demand, with an optional time limit that keeps the previous calibration), and the figures (frames, frames with a
 * face, tracked frames in the last second, mean tracking time). What differs stays in each page and is passed in: how
 * a frame is waited for and grabbed (`LiveFrameSource`), where it is tracked (`LiveFrameTracker`: the page's worker or
 * the services host in the studio, onnxruntime-web in the player), and what happens with each step (UI, rendering).
 *
 * Platform-neutral: no DOM and no Node; the clock and the timers are the global ones (`performance.now()`,
 * `setTimeout`) unless given.
 */
import { LIVE_DRIVING, Reenactor, type AvatarExpressionSpace, type ReenactorOptions, type ReenactStep } from '../engine/avatar/reenact';

/**
 * Long side (px) of the frames the live pages track: a camera frame is drawn this small first. The Live page's host
 * path sends it as raw RGB (480×360×3 bytes is ≈ 690 kB in base64, inside the StudioApi's 1 MiB message limit); its
 * worker and the web player track the same size in the page.
 */
export const LIVE_FRAME_MAX_SIDE = 480;

/** The tracked size of a `videoWidth` × `videoHeight` frame: long side ≤ LIVE_FRAME_MAX_SIDE, never upscaled. */
export function liveFrameSize(videoWidth: number, videoHeight: number): { width: number; height: number } {
  const s = Math.min(1, LIVE_FRAME_MAX_SIDE / Math.max(videoWidth, videoHeight));
  return { width: Math.round(videoWidth * s), height: Math.round(videoHeight * s) };
}

/** A frame to track: whatever the page's source and tracker pass between them, with its time. */
export interface LiveFrame {
  /** When the frame was captured (or grabbed), ms on the loop's clock (performance.now()). */
  captureTime: number;
}

/** What a tracker gives back for a frame (pages may add their own figures: they come back in `LiveStep.track`). */
export interface LiveTrack {
  tracked: boolean;
  /** 478 × [x, y, z] in frame pixels when tracked. */
  landmarks?: ArrayLike<number> | null;
}

export interface LiveFrameSource<F extends LiveFrame> {
  /**
   * Waits for the next frame to track and returns it; null when none came (the loop asks again). Rejecting ends the
   * loop with that error (a camera unplugged…).
   */
  next(): Promise<F | null>;
}

export interface LiveFrameTracker<F extends LiveFrame, T extends LiveTrack> {
  /** Tracks one frame; `reset`: forget the face followed so far (the first frame of a run). Throwing ends the loop. */
  track(frame: F, reset: boolean): Promise<T>;
}

/**
 * The driver's calibration as the pages show it: `none` until the automatic calibration on the first frames is done
 * (`auto`), then `capturing` while "Hold a neutral face" collects its frames (`got` of `frames`), `done`, or `failed`
 * when no face was seen long enough for it (the previous calibration is kept).
 */
export type LiveCalibration =
  | { state: 'none' }
  | { state: 'auto' }
  | { state: 'capturing'; got: number; frames: number }
  | { state: 'done'; frames: number; spreadMm: number }
  | { state: 'failed' };

export interface LiveStats {
  /** Frames tracked in this run, and how many of them had a face. */
  frames: number;
  tracked: number;
  /** Frames tracked in the last second (counted when each one's tracking ended). */
  fps: number;
  /** Mean time of the tracker's call per frame (ms) in this run. */
  trackMs: number;
}

/** One frame through the loop. */
export interface LiveStep<F extends LiveFrame, T extends LiveTrack> {
  frame: F;
  track: T;
  /** The reenactor's output: phase, calibration progress, and the parameters to pose (held over frames with no face). */
  step: ReenactStep;
  /** This frame's tracker call (ms). */
  trackMs: number;
  stats: Readonly<LiveStats>;
}

export interface LiveLoopOptions {
  /** The reenactor's options over the live defaults (`LIVE_DRIVING`, automatic calibration on the first frames). */
  reenact?: ReenactorOptions;
  /** "Hold a neutral face" gives up after this long (ms) if its frames have not all been seen; default: never. */
  calibrationTimeoutMs?: number;
  /** Called when `calibration` changes. */
  onCalibration?: (calibration: LiveCalibration) => void;
  /** The clock (ms); default performance.now(). */
  now?: () => number;
}

const noStats = (): LiveStats => ({ frames: 0, tracked: 0, fps: 0, trackMs: 0 });

export class LiveLoop {
  readonly reenactor: Reenactor;
  private readonly now: () => number;
  private cal: LiveCalibration = { state: 'none' };
  /** "Hold a neutral face" is collecting (as opposed to the automatic calibration on the first frames). */
  private manual = false;
  private calibrationTimer: ReturnType<typeof setTimeout> | null = null;
  private figures: LiveStats = noStats();
  /** The run going on: each `run` and `stop` starts a new generation, and a run ends when its own is over. */
  private generation = 0;
  private active = false;

  constructor(
    space: AvatarExpressionSpace,
    private readonly options: LiveLoopOptions = {},
  ) {
    this.reenactor = new Reenactor(space, { ...LIVE_DRIVING, autoCalibrate: true, ...options.reenact });
    this.now = options.now ?? (() => performance.now());
  }

  get calibration(): LiveCalibration {
    return this.cal;
  }

  get stats(): Readonly<LiveStats> {
    return this.figures;
  }

  get running(): boolean {
    return this.active;
  }

  /** Frames averaged by a calibration. */
  get calibrationFrames(): number {
    return this.reenactor.currentOptions.calibrationFrames ?? LIVE_DRIVING.calibrationFrames;
  }

  /** Driving settings as they change (intensity, pose, mirror, smoothing): from the next frame, no recalibration. */
  setOptions(patch: Partial<ReenactorOptions>): void {
    this.reenactor.setOptions(patch);
  }

  /** Another driver (a new source, driving switched on again): forget the calibration; the first frames calibrate again. */
  newDriver(): void {
    this.manual = false;
    this.clearCalibrationTimer();
    this.reenactor.setCalibration(null);
    this.setCalibration({ state: 'none' });
  }

  /** "Hold a neutral face": the next tracked frames become the calibration. */
  holdNeutral(): void {
    const frames = this.calibrationFrames;
    this.manual = true;
    this.reenactor.startCalibration(frames);
    this.setCalibration({ state: 'capturing', got: 0, frames });
    this.clearCalibrationTimer();
    const limit = this.options.calibrationTimeoutMs;
    if (limit === undefined) return;
    this.calibrationTimer = setTimeout(() => {
      this.calibrationTimer = null;
      if (!this.manual || this.reenactor.phase !== 'calibrating') return;
      this.manual = false;
      // back to the previous calibration (or to the automatic one on the next frames)
      this.reenactor.setCalibration(this.reenactor.currentCalibration);
      this.setCalibration({ state: 'failed' });
    }, limit);
  }

  /**
   * Tracks and drives frame after frame until `stop` (or another `run`), calling `onStep` for each tracked frame.
   * Resolves when stopped; rejects with the source's or the tracker's error (the loop is then stopped).
   */
  async run<F extends LiveFrame, T extends LiveTrack>(source: LiveFrameSource<F>, tracker: LiveFrameTracker<F, T>, onStep: (step: LiveStep<F, T>) => void): Promise<void> {
    const generation = ++this.generation;
    const current = () => generation === this.generation;
    this.active = true;
    this.figures = noStats();
    const recent: number[] = [];
    let totalMs = 0;
    let reset = true;
    try {
      while (current()) {
        const frame = await source.next();
        if (!current()) return;
        if (!frame) continue;
        const t0 = this.now();
        const track = await tracker.track(frame, reset);
        const t1 = this.now();
        reset = false;
        if (!current()) return;
        const trackMs = t1 - t0;
        totalMs += trackMs;
        recent.push(t1);
        while (recent.length && recent[0]! < t1 - 1000) recent.shift();
        const f = this.figures;
        this.figures = { frames: f.frames + 1, tracked: f.tracked + (track.tracked ? 1 : 0), fps: recent.length, trackMs: totalMs / (f.frames + 1) };
        const step = this.reenactor.step(track.tracked && track.landmarks ? { landmarks: track.landmarks } : null, frame.captureTime / 1000);
        this.followCalibration(step);
        onStep({ frame, track, step, trackMs, stats: this.figures });
      }
    } finally {
      if (current()) this.active = false;
    }
  }

  /** Ends the run after the frame in hand (its result is dropped). The calibration stays. */
  stop(): void {
    this.generation++;
    this.active = false;
  }

  /** Stops, and drops a pending "Hold a neutral face" time limit (the page goes away). */
  dispose(): void {
    this.stop();
    this.clearCalibrationTimer();
  }

  private followCalibration(step: ReenactStep): void {
    if (step.phase === 'calibrating') {
      if (this.manual) {
        const frames = this.calibrationFrames;
        const got = Math.round(step.calibrationProgress * frames);
        if (this.cal.state !== 'capturing' || this.cal.got !== got) this.setCalibration({ state: 'capturing', got, frames });
      }
      return;
    }
    if (this.manual && step.phase === 'driving') {
      this.manual = false;
      this.clearCalibrationTimer();
      this.setCalibration({ state: 'done', frames: this.calibrationFrames, spreadMm: this.reenactor.currentCalibration?.spreadMm ?? 0 });
    } else if (this.cal.state === 'none' && step.phase === 'driving') this.setCalibration({ state: 'auto' });
  }

  private setCalibration(c: LiveCalibration): void {
    this.cal = c;
    this.options.onCalibration?.(c);
  }

  private clearCalibrationTimer(): void {
    if (this.calibrationTimer !== null) clearTimeout(this.calibrationTimer);
    this.calibrationTimer = null;
  }
}
