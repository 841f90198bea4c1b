/**
 * Webcam driving in the page: getUserMedia → the video's frames (long side ≤ 480 px, as the studio's live page sends
 * them) → the studio's face tracker on onnxruntime-web (webcam-tracker.ts, loaded on first use) → `Reenactor`
 * (native/engine/avatar/reenact: calibrates on the first frames, or again on "Hold neutral"; retarget, clamp,
 * smoothing) → `onStep`, which poses and renders the avatar. One frame is tracked at a time; the next new camera frame
 * is grabbed when it is done, so a slow machine drops camera frames instead of queueing them.
 */
import { LIVE_DRIVING, Reenactor, type AvatarExpressionSpace, type ReenactPhase, type ReenactStep } from '@engine/avatar/reenact';
import { RAW_MAX_SIDE } from '../renderer/src/features/live/frameGrabber';
import type { WebTracker } from '@tracking/web-tracker';

export interface WebcamStatus {
  state: 'off' | 'starting' | 'driving' | 'error';
  message: string | null;
  /** Frames tracked since driving started, and how many of them had a face. */
  frames: number;
  tracked: number;
  /** Camera frames tracked per second over the last second. */
  fps: number;
  /** Mean tracking time per frame (ms) since driving started. */
  trackMs: number;
  phase: ReenactPhase;
  calibrationProgress: number;
}

/** A getUserMedia failure → what to tell the user. */
export function cameraErrorMessage(err: unknown): string {
  const name = (err as { name?: string } | null)?.name ?? '';
  if (name === 'NotAllowedError' || name === 'SecurityError') return 'Camera permission was denied. Allow the camera for this page (the icon in the address bar) and switch driving on again.';
  if (name === 'NotFoundError' || name === 'OverconstrainedError' || name === 'DevicesNotFoundError') return 'No camera was found. Connect a webcam and switch driving on again.';
  if (name === 'NotReadableError' || name === 'AbortError') return 'The camera could not be started: another application may be using it.';
  return `The camera could not be started: ${(err as Error)?.message ?? String(err)}`;
}

export class WebcamDriver {
  readonly status: WebcamStatus = { state: 'off', message: null, frames: 0, tracked: 0, fps: 0, trackMs: 0, phase: 'uncalibrated', calibrationProgress: 0 };
  readonly reenactor: Reenactor;
  private stream: MediaStream | null = null;
  private web: WebTracker | null = null;
  private running = false;
  private readonly grab = document.createElement('canvas');
  private grabContext: CanvasRenderingContext2D | null = null;

  constructor(
    space: AvatarExpressionSpace,
    private readonly video: HTMLVideoElement,
    private readonly onStep: (step: ReenactStep) => void,
    private readonly onStatus: (status: WebcamStatus) => void,
  ) {
    this.reenactor = new Reenactor(space, { ...LIVE_DRIVING, autoCalibrate: true });
  }

  private update(patch: Partial<WebcamStatus>): void {
    Object.assign(this.status, patch);
    this.onStatus(this.status);
  }

  /** Opens the camera and the tracker (models from `base`'s `models/`), then drives until `stop`. */
  async start(base: string): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.update({ state: 'starting', message: 'Opening the camera…', frames: 0, tracked: 0, fps: 0, trackMs: 0 });
    try {
      if (!navigator.mediaDevices?.getUserMedia) throw Object.assign(new Error('this browser gives no camera to this page (a camera needs https or http://localhost)'), { name: 'NoMediaDevices' });
      try {
        this.stream = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 640 }, height: { ideal: 480 } }, audio: false });
      } catch (err) {
        throw new Error(cameraErrorMessage(err));
      }
      this.video.srcObject = this.stream;
      await this.video.play();
      this.update({ message: 'Loading the face tracker…' });
      if (!this.web) this.web = await (await import('./webcam-tracker')).createWebTracker(new URL('.', base).href);
      if (!this.running) return;
      this.reenactor.setCalibration(null);
      this.web.tracker.reset();
      this.update({ state: 'driving', message: null });
      await this.loop();
    } catch (err) {
      this.running = false;
      this.closeCamera();
      this.update({ state: 'error', message: err instanceof Error ? err.message : String(err) });
    }
  }

  stop(): void {
    this.running = false;
    this.closeCamera();
    this.update({ state: 'off', message: null, fps: 0 });
  }

  /** "Hold a neutral face": the next frames become the calibration. */
  holdNeutral(): void {
    this.reenactor.startCalibration(LIVE_DRIVING.calibrationFrames);
  }

  private closeCamera(): void {
    for (const t of this.stream?.getTracks() ?? []) t.stop();
    this.stream = null;
    this.video.srcObject = null;
  }

  private frame(): { width: number; height: number; data: Uint8Array; channels: 4 } | null {
    const v = this.video;
    if (v.readyState < 2 || !v.videoWidth) return null;
    const s = Math.min(1, RAW_MAX_SIDE / Math.max(v.videoWidth, v.videoHeight));
    const width = Math.round(v.videoWidth * s), height = Math.round(v.videoHeight * s);
    if (this.grab.width !== width || this.grab.height !== height) Object.assign(this.grab, { width, height });
    const ctx = (this.grabContext ??= this.grab.getContext('2d', { willReadFrequently: true })!);
    ctx.drawImage(v, 0, 0, width, height);
    const data = ctx.getImageData(0, 0, width, height).data;
    return { width, height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), channels: 4 };
  }

  /** Waits for a new camera frame (each frame is tracked once), or the next animation frame where the browser cannot tell. */
  private nextVideoFrame(): Promise<void> {
    const v = this.video;
    return new Promise((r) => ('requestVideoFrameCallback' in v && this.running ? v.requestVideoFrameCallback(() => r()) : requestAnimationFrame(() => r())));
  }

  private async loop(): Promise<void> {
    const tracker = this.web!.tracker;
    const recent: number[] = [];
    let totalMs = 0;
    let index = 0;
    while (this.running) {
      const img = this.frame();
      if (img) {
        const time = performance.now() / 1000;
        const t0 = performance.now();
        const track = await tracker.track(img, index++, time);
        const t1 = performance.now();
        if (!this.running) break;
        totalMs += t1 - t0;
        recent.push(t1);
        while (recent.length && recent[0]! < t1 - 1000) recent.shift();
        const step = this.reenactor.step(track.tracked && track.landmarks ? { landmarks: track.landmarks } : null, time);
        this.onStep(step);
        this.update({
          frames: index,
          tracked: this.status.tracked + (track.tracked ? 1 : 0),
          fps: recent.length,
          trackMs: totalMs / index,
          phase: step.phase,
          calibrationProgress: step.calibrationProgress,
          message: track.tracked ? null : 'No face found: look at the camera, in good light.',
        });
      }
      await this.nextVideoFrame();
    }
  }
}
