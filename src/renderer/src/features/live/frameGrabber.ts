/**
 * Camera/video frames → `live.track` payloads, with the frame's capture time. Waits for the next new video frame
 * (requestVideoFrameCallback where present) and draws it small: raw RGB at ≤ 480 px (`liveFrameSize`, the live
 * loop's), base64 — the host then skips a JPEG decode that cost more than the tracker itself (docs/live.md;
 * `live.track` still takes JPEG from other clients). The RGBA pixels go straight to base64 in one pass (3 bytes a pixel = 4 characters): the earlier RGB copy +
 * `btoa` over a binary string cost 20–40 ms of the page's main thread a frame, ≈ 2 ms now.
 */
import { liveFrameSize } from '@tracking/live-loop';

export interface GrabbedFrame {
  /** What `live.track` takes besides session and time. */
  payload: { rgb: string; width: number; height: number };
  /** performance.now() clock: when the frame was captured (camera) or presented (file), as best the browser knows. */
  captureTime: number;
  width: number;
  height: number;
  /** Grab + encode time (ms). */
  encodeMs: number;
}

type VideoWithRvfc = HTMLVideoElement & {
  requestVideoFrameCallback?: (cb: (now: number, meta: { captureTime?: number; expectedDisplayTime?: number; presentationTime?: number }) => void) => number;
  cancelVideoFrameCallback?: (h: number) => void;
};

/** A video frame's capture time on the performance.now() clock (camera frames), else its presentation time. */
function frameTime(now: number, meta: { captureTime?: number; presentationTime?: number }): number {
  return meta.captureTime && meta.captureTime > 0 && meta.captureTime <= now + 1 ? meta.captureTime : (meta.presentationTime ?? now);
}

/** Resolves at the next new video frame with its capture time; rejects after `timeoutMs` without one. */
export function nextVideoFrame(video: HTMLVideoElement, timeoutMs = 2000): Promise<number> {
  const v = video as VideoWithRvfc;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      if (handle !== null) v.cancelVideoFrameCallback?.(handle);
      reject(new Error('no new video frame'));
    }, timeoutMs);
    let handle: number | null = null;
    if (v.requestVideoFrameCallback) {
      handle = v.requestVideoFrameCallback((now, meta) => {
        clearTimeout(timer);
        // captureTime is on the performance.now() clock for camera frames; files have none.
        resolve(frameTime(now, meta));
      });
    } else {
      requestAnimationFrame((now) => {
        clearTimeout(timer);
        resolve(now);
      });
    }
  });
}

/**
 * Follows every new frame of a video (requestVideoFrameCallback, re-armed at each frame), so a loop that tracks slower
 * than the camera delivers takes the newest frame at once instead of waiting for the one after it (on average half a
 * camera frame, and the page's next rendering step, per tracked frame). Without requestVideoFrameCallback every
 * animation frame counts as a new one.
 */
export class VideoFrameWatcher {
  private seq = 0;
  private time = 0;
  private handle: number | null = null;
  private stopped = false;
  private waiters: (() => void)[] = [];

  constructor(private readonly video: HTMLVideoElement) {
    this.arm();
  }

  private arm(): void {
    if (this.stopped) return;
    const v = this.video as VideoWithRvfc;
    const onFrame = (now: number, t: number) => {
      this.seq++;
      this.time = t;
      const w = this.waiters;
      this.waiters = [];
      for (const f of w) f();
      this.arm();
    };
    if (v.requestVideoFrameCallback) this.handle = v.requestVideoFrameCallback((now, meta) => onFrame(now, frameTime(now, meta)));
    else requestAnimationFrame((now) => onFrame(now, now));
  }

  /** The first frame after frame `after` (a `seq` this returned before; 0 = any): at once if it has come already. */
  next(after: number, timeoutMs = 2000): Promise<{ seq: number; captureTime: number }> {
    if (this.seq > after) return Promise.resolve({ seq: this.seq, captureTime: this.time });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((f) => f !== done);
        reject(new Error('no new video frame'));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve({ seq: this.seq, captureTime: this.time });
      };
      this.waiters.push(done);
    });
  }

  stop(): void {
    this.stopped = true;
    if (this.handle !== null) (this.video as VideoWithRvfc).cancelVideoFrameCallback?.(this.handle);
    this.waiters = [];
  }
}

const BASE64 = Uint8Array.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/', (c) => c.charCodeAt(0));
const ascii = new TextDecoder('latin1');

/** The RGB bytes of RGBA pixels (alpha dropped), base64: each pixel's 3 bytes are exactly 4 characters, no padding. */
export function rgbaToRgbBase64(rgba: ArrayLike<number>, out: Uint8Array = new Uint8Array((rgba.length >> 2) * 4)): string {
  const n = rgba.length >> 2;
  for (let p = 0, i = 0, j = 0; p < n; p++, i += 4, j += 4) {
    const r = rgba[i]!, g = rgba[i + 1]!, b = rgba[i + 2]!;
    out[j] = BASE64[r >> 2]!;
    out[j + 1] = BASE64[((r & 3) << 4) | (g >> 4)]!;
    out[j + 2] = BASE64[((g & 15) << 2) | (b >> 6)]!;
    out[j + 3] = BASE64[b & 63]!;
  }
  return ascii.decode(out.subarray(0, n * 4));
}

export class FrameGrabber {
  private readonly canvas = document.createElement('canvas');
  private readonly ctx: CanvasRenderingContext2D;
  private b64 = new Uint8Array(0);

  constructor() {
    const ctx = this.canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new Error('No 2D canvas for grabbing frames.');
    this.ctx = ctx;
  }

  grab(video: HTMLVideoElement, captureTime: number): GrabbedFrame {
    const t0 = performance.now();
    const vw = video.videoWidth, vh = video.videoHeight;
    if (!vw || !vh) throw new Error('The video has no picture yet.');
    const { width, height } = liveFrameSize(vw, vh);
    if (this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas.width = width;
      this.canvas.height = height;
    }
    this.ctx.drawImage(video, 0, 0, width, height);
    const rgba = this.ctx.getImageData(0, 0, width, height).data;
    if (this.b64.length !== width * height * 4) this.b64 = new Uint8Array(width * height * 4);
    return { payload: { rgb: rgbaToRgbBase64(rgba, this.b64), width, height }, captureTime, width, height, encodeMs: performance.now() - t0 };
  }
}
