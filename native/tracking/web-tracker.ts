/**
 * The face tracker on onnxruntime-web (WASM): the platform-neutral `FrameTracker` (frame-tracker.ts, the pipeline the
 * studio's services run under onnxruntime-node) with the same converted ONNX models, given as bytes. Run by the web
 * player's webcam driving (src/player/webcam-tracker.ts: ORT's WASM bundle, models from the export's `models/`), by
 * the studio Live page's worker (src/renderer/…/live/trackWorker.ts: models from `live.model`) and by the tests (ORT
 * web's Node build, the same WASM kernels). One thread: a page served by a plain static server (or the studio's own
 * pages) is not cross-origin isolated, so WASM threads (SharedArrayBuffer) are not available.
 */
import { FrameTracker, type ModelBackend } from './frame-tracker';
import { WEBCAM_MODELS, type ModelName } from './models';
import type { TrackOptions } from './types';

export interface WebTracker {
  tracker: FrameTracker;
  /** The models as the tracker runs them (the Live page's worker runs each once or twice first, to warm them up). */
  backend: ModelBackend;
  release(): Promise<void>;
}

type Ort = typeof import('onnxruntime-web');

/**
 * The tracker on an onnxruntime-web module (the page's WASM bundle, or ORT web's Node build in the tests), with the
 * models `readModel` gives (`WEBCAM_MODELS`); `options` default to the web player's (no mask, iris, no smoothing). The
 * studio's Live page runs it in a worker with the host tracker's One Euro smoothing (features/live/trackWorker.ts).
 */
export async function trackerOnOrt(ort: Ort, readModel: (name: ModelName) => Promise<Uint8Array>, options: TrackOptions = { mask: false, iris: true, smoothing: false }): Promise<WebTracker> {
  ort.env.wasm.numThreads = 1;
  ort.env.logLevel = 'error';
  const sessions = new Map<ModelName, import('onnxruntime-web').InferenceSession>();
  try {
    for (const name of WEBCAM_MODELS) sessions.set(name, await ort.InferenceSession.create(await readModel(name), { executionProviders: ['wasm'], graphOptimizationLevel: 'all' }));
  } catch (err) {
    await Promise.all([...sessions.values()].map((s) => s.release()));
    throw err;
  }
  const backend: ModelBackend = {
    async run(name, input, dims) {
      const session = sessions.get(name);
      if (!session) throw new Error(`tracking model ${name} is not loaded`);
      const res = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', input, dims) });
      return session.outputNames.map((n) => res[n]!.data as Float32Array);
    },
  };
  return {
    tracker: new FrameTracker(backend, options),
    backend,
    async release() {
      await Promise.all([...sessions.values()].map((s) => s.release()));
    },
  };
}
