/**
 * The web player's face tracker: the studio's tracker on onnxruntime-web (`trackerOnOrt`, native/tracking/web-tracker.ts)
 * on ORT's WASM bundle, with the converted ONNX models read from the export's `models/` folder. ORT's wasm binary is a
 * build asset (`assets/ort-wasm-simd-threaded-*.wasm`: Vite emits the file ORT's bundle refers to with
 * `new URL(…, import.meta.url)`). Loaded lazily (a dynamic import) so a player that never drives loads neither ORT nor
 * the models.
 */
import { modelFileName } from '@tracking/models';
import { trackerOnOrt, type WebTracker } from '@tracking/web-tracker';

/** Loads ORT (WASM, 1 thread) and the models from `base`'s `models/` (the page's folder) and returns a tracker on them. */
export async function createWebTracker(base: string): Promise<WebTracker> {
  const ort = await import('onnxruntime-web/wasm');
  return trackerOnOrt(ort, async (name) => {
    const res = await fetch(new URL(`models/${modelFileName(name)}`, base).href);
    if (!res.ok) throw new Error(`The tracking model models/${name}.onnx is not in this player's folder (HTTP ${res.status}); export the player again from Avatar Studio.`);
    return new Uint8Array(await res.arrayBuffer());
  });
}
