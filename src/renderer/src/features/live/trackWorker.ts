/**
 * The Live page's in-page tracking path, in a worker so the page's main thread stays free for rendering: the studio's
 * per-frame tracker (`FrameTracker`, the code the host runs under onnxruntime-node) on onnxruntime-web's WASM backend
 * (`trackerOnOrt` in native/tracking/web-tracker.ts, as the web player runs it; 1 thread: the studio's pages are not
 * cross-origin isolated), with the host tracker's settings (no person mask, iris, One Euro smoothing). The models come
 * from the host (`live.model`), the frames as VideoFrames (or ImageBitmaps) that the worker scales to the host path's
 * size (≤ 480 px: `width` × `height`) and reads.
 *
 * Messages in: `init { models }`, `track { id, frame, width, height, time (ms), reset }`. Out: `ready`,
 * `failed { message }`, `result { id, tracked, reason, landmarks, ms }` (`ms`: scaling, pixels and tracker here).
 */
import * as ort from 'onnxruntime-web/wasm';
import type { ModelName } from '@tracking/models';
import { trackerOnOrt, type WebTracker } from '@tracking/web-tracker';

export type TrackWorkerIn =
  | { type: 'init'; models: Partial<Record<ModelName, Uint8Array>> }
  | { type: 'track'; id: number; frame: VideoFrame | ImageBitmap; width: number; height: number; time: number; reset: boolean };
export type TrackWorkerOut =
  | { type: 'ready' }
  | { type: 'failed'; message: string }
  | { type: 'result'; id: number; tracked: boolean; reason: string | null; landmarks: Float32Array | null; ms: number }
  | { type: 'error'; id: number; message: string };

interface WorkerScope {
  onmessage: ((e: MessageEvent<TrackWorkerIn>) => void) | null;
  postMessage(message: TrackWorkerOut, transfer?: Transferable[]): void;
}
const scope = self as unknown as WorkerScope;

let web: WebTracker | null = null;
const WARM_UP_RUNS = 3;
let canvas: OffscreenCanvas | null = null;
let ctx: OffscreenCanvasRenderingContext2D | null = null;
let index = 0;

async function init(models: Partial<Record<ModelName, Uint8Array>>): Promise<void> {
  try {
    web = await trackerOnOrt(ort as unknown as typeof import('onnxruntime-web'), async (name) => {
      const bytes = models[name];
      if (!bytes) throw new Error(`the face model ${name} was not given to the page's tracker`);
      return bytes;
    }, { mask: false, iris: true });
    // A few runs of each model on blank input first: WebAssembly compiles its optimised code in the background after
    // the first calls, and the page's first tracked frames (which `auto` measures) should not pay for it.
    const blank = (dims: number[]) => new Float32Array(dims.reduce((a, b) => a * b));
    for (let i = 0; i < WARM_UP_RUNS; i++) {
      await web.backend.run('facemesh', blank([1, 192, 192, 3]), [1, 192, 192, 3]);
      await web.backend.run('iris', blank([2, 64, 64, 3]), [2, 64, 64, 3]);
      if (i === 0) await web.backend.run('blazeface', blank([1, 256, 256, 3]), [1, 256, 256, 3]);
    }
    scope.postMessage({ type: 'ready' });
  } catch (err) {
    scope.postMessage({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
  }
}

async function track(m: Extract<TrackWorkerIn, { type: 'track' }>): Promise<void> {
  const { id, frame, width, height, time, reset } = m;
  const t0 = performance.now();
  try {
    if (!web) throw new Error('the page tracker is not ready');
    if (!canvas || canvas.width !== width || canvas.height !== height) {
      canvas = new OffscreenCanvas(width, height);
      ctx = canvas.getContext('2d', { willReadFrequently: true });
      if (!ctx) throw new Error('no 2D canvas in the worker');
    }
    ctx!.drawImage(frame, 0, 0, width, height);
    const data = ctx!.getImageData(0, 0, width, height).data;
    if (reset) web.tracker.reset();
    const r = await web.tracker.track({ width, height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), channels: 4 }, index++, time / 1000);
    const landmarks = r.tracked && r.landmarks ? Float32Array.from(r.landmarks) : null;
    scope.postMessage({ type: 'result', id, tracked: r.tracked, reason: r.reason ?? null, landmarks, ms: performance.now() - t0 }, landmarks ? [landmarks.buffer] : []);
  } catch (err) {
    scope.postMessage({ type: 'error', id, message: err instanceof Error ? err.message : String(err) });
  } finally {
    frame.close();
  }
}

// One message at a time, in order (the page sends the next frame only after the last result).
let queue = Promise.resolve();
scope.onmessage = (e) => {
  const m = e.data;
  queue = queue.then(() => (m.type === 'init' ? init(m.models) : track(m)));
};
