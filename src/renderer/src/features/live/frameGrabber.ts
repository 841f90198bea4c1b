/**
 * Camera/video frames → `live.track` payloads, with the frame's capture time. Waits for the next new video frame
 * (requestVideoFrameCallback where present) and draws it small: raw RGB at ≤ RAW_MAX_SIDE px, base64 — the host then
 * skips a JPEG decode that cost more than the tracker itself (docs/live.md; `live.track` still takes JPEG from other
 * clients).
 */

/** Long side of a raw RGB frame: 480×360×3 bytes is ≈ 690 kB in base64, inside the 1 MiB message limit. */
export const RAW_MAX_SIDE = 480;

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
        resolve(meta.captureTime && meta.captureTime > 0 && meta.captureTime <= now + 1 ? meta.captureTime : (meta.presentationTime ?? now));
      });
    } else {
      requestAnimationFrame((now) => {
        clearTimeout(timer);
        resolve(now);
      });
    }
  });
}

function toBase64(bytes: Uint8Array): string {
  let s = '';
  const CHUNK = 0x8000;
  for (let i = 0; i < bytes.length; i += CHUNK) s += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return btoa(s);
}

export class FrameGrabber {
  private readonly canvas = document.createElement('canvas');
  private readonly ctx: CanvasRenderingContext2D;
  private rgb = new Uint8Array(0);

  constructor() {
    const ctx = this.canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new Error('No 2D canvas for grabbing frames.');
    this.ctx = ctx;
  }

  grab(video: HTMLVideoElement, captureTime: number): GrabbedFrame {
    const t0 = performance.now();
    const vw = video.videoWidth, vh = video.videoHeight;
    if (!vw || !vh) throw new Error('The video has no picture yet.');
    const s = Math.min(1, RAW_MAX_SIDE / Math.max(vw, vh));
    const width = Math.round(vw * s), height = Math.round(vh * s);
    if (this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas.width = width;
      this.canvas.height = height;
    }
    this.ctx.drawImage(video, 0, 0, width, height);
    const rgba = this.ctx.getImageData(0, 0, width, height).data;
    if (this.rgb.length !== width * height * 3) this.rgb = new Uint8Array(width * height * 3);
    const rgb = this.rgb;
    for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
      rgb[j] = rgba[i]!;
      rgb[j + 1] = rgba[i + 1]!;
      rgb[j + 2] = rgba[i + 2]!;
    }
    return { payload: { rgb: toBase64(rgb), width, height }, captureTime, width, height, encodeMs: performance.now() - t0 };
  }
}
