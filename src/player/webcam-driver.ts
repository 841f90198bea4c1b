/**
 * Webcam driving in the page: getUserMedia → the video's frames (long side ≤ 480 px, as the studio's Live page tracks
 * them) → the studio's face tracker on onnxruntime-web (webcam-tracker.ts, loaded on first use) → `Reenactor`
 * (calibrates on the first frames, or again on "Hold neutral"; retarget, clamp, smoothing) → `onStep`, which poses and
 * renders the avatar. The loop itself is the studio's (`LiveLoop`, native/tracking/live-loop.ts, which the Live page
 * runs too): one frame tracked at a time, so a slow machine drops camera frames instead of queueing them. Here: the
 * camera, the grab, waiting for the next new camera frame once a frame is done, and the status line's figures.
 */
import { LIVE_DRIVING, type AvatarExpressionSpace, type ReenactPhase, type ReenactStep, type Reenactor } from '@engine/avatar/reenact';
import { liveFrameSize, LiveLoop, type LiveFrame, type LiveFrameSource } from '@tracking/live-loop';
import type { RgbImage } from '@tracking/types';
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

/** A grabbed camera frame: its RGBA pixels at ≤ 480 px and when it was grabbed. */
interface CameraFrame extends LiveFrame {
  image: RgbImage;
}

export class WebcamDriver {
  readonly status: WebcamStatus = { state: 'off', message: null, frames: 0, tracked: 0, fps: 0, trackMs: 0, phase: 'uncalibrated', calibrationProgress: 0 };
  private readonly live: LiveLoop;
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
    this.live = new LiveLoop(space, { reenact: { ...LIVE_DRIVING, autoCalibrate: true } });
  }

  get reenactor(): Reenactor {
    return this.live.reenactor;
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
      this.live.newDriver();
      this.update({ state: 'driving', message: null });
      await this.drive(this.web);
    } catch (err) {
      this.running = false;
      this.live.stop();
      this.closeCamera();
      this.update({ state: 'error', message: err instanceof Error ? err.message : String(err) });
    }
  }

  stop(): void {
    this.running = false;
    this.live.stop();
    this.closeCamera();
    this.update({ state: 'off', message: null, fps: 0 });
  }

  /** "Hold a neutral face": the next frames become the calibration. */
  holdNeutral(): void {
    this.live.holdNeutral();
  }

  private closeCamera(): void {
    for (const t of this.stream?.getTracks() ?? []) t.stop();
    this.stream = null;
    this.video.srcObject = null;
  }

  /** The camera's current frame at ≤ 480 px as RGBA, or null while it has no picture. */
  private frame(): RgbImage | null {
    const v = this.video;
    if (v.readyState < 2 || !v.videoWidth) return null;
    const { width, height } = liveFrameSize(v.videoWidth, v.videoHeight);
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

  /** The live loop on the camera: the frame in view first, then each new camera frame once the last is done. */
  private async drive(web: WebTracker): Promise<void> {
    let first = true;
    let index = 0;
    const camera: LiveFrameSource<CameraFrame> = {
      next: async () => {
        if (!first) await this.nextVideoFrame();
        first = false;
        const image = this.frame();
        return image ? { image, captureTime: performance.now() } : null;
      },
    };
    const tracker = {
      track: (f: CameraFrame, reset: boolean) => {
        if (reset) web.tracker.reset();
        return web.tracker.track(f.image, index++, f.captureTime / 1000);
      },
    };
    await this.live.run(camera, tracker, ({ track, step, stats }) => {
      this.onStep(step);
      this.update({
        frames: stats.frames,
        tracked: stats.tracked,
        fps: stats.fps,
        trackMs: stats.trackMs,
        phase: step.phase,
        calibrationProgress: step.calibrationProgress,
        message: track.tracked ? null : 'No face found: look at the camera, in good light.',
      });
    });
  }
}
