/**
 * The studio's face tracker in the page: the platform-neutral `FrameTracker` (services/tracking/frame-tracker.ts, the
 * pipeline the studio runs under onnxruntime-node) on onnxruntime-web's WASM backend, with the same converted ONNX
 * models, read from the export's `models/` folder. ORT's wasm binary is a build asset (`assets/ort-wasm-simd-threaded-*.wasm`:
 * Vite emits the file ORT's bundle refers to with `new URL(…, import.meta.url)`). One thread: a page served by a plain
 * static server is not cross-origin isolated, so WASM threads (SharedArrayBuffer) are not available.
 * Loaded lazily (a dynamic import) so a player that never drives loads neither ORT nor the models.
 */
import { FrameTracker, type ModelBackend } from '../main/services/tracking/frame-tracker';
import type { ModelName } from '../main/services/tracking/models';
import type { TrackOptions } from '../main/services/tracking/types';
import { WEBCAM_MODELS } from './webcam-models';

export interface WebTracker {
  tracker: FrameTracker;
  /** The models as the tracker runs them (the Live page's worker runs each once or twice first, to warm them up). */
  backend: ModelBackend;
  release(): Promise<void>;
}

type Ort = typeof import('onnxruntime-web');

/** Loads ORT (WASM, 1 thread) and the models from `base`'s `models/` (the page's folder) and returns a tracker on them. */
export async function createWebTracker(base: string): Promise<WebTracker> {
  const ort = await import('onnxruntime-web/wasm');
  return trackerOnOrt(ort, async (name) => {
    const res = await fetch(new URL(`models/${name}.onnx`, base).href);
    if (!res.ok) throw new Error(`The tracking model models/${name}.onnx is not in this player's folder (HTTP ${res.status}); export the player again from Avatar Studio.`);
    return new Uint8Array(await res.arrayBuffer());
  });
}

/**
 * The tracker on an onnxruntime-web module (the page's WASM bundle, or ORT web's Node build in the tests); `options`
 * default to the player's (no mask, iris, no smoothing). The studio's Live page runs it in a worker with the host
 * tracker's One Euro smoothing (features/live/trackWorker.ts).
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
