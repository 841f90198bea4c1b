/**
 * 8-bit RGBA images of a bake's composed maps (what `colour.png`, `opacity.png`, `visibility.png` hold), M² × 4,
 * row 0 = v≈0 like the maps. Platform-neutral; the studio encodes them as PNG.
 */
import { CH_OPACITY, CH_SH, CHANNELS } from './uv-maps';

const SH_C0 = 0.28209479177387814;
const to8 = (x: number) => Math.round(Math.min(1, Math.max(0, x)) * 255);

/** rgb = clamp(SH DC · C0 + 0.5), alpha 255. */
export function colourImage(maps: Float32Array, mapSize: number): Uint8ClampedArray {
  const n = mapSize * mapSize, out = new Uint8ClampedArray(n * 4);
  for (let p = 0; p < n; p++) {
    for (let c = 0; c < 3; c++) out[p * 4 + c] = to8(maps[p * CHANNELS + CH_SH + c]! * SH_C0 + 0.5);
    out[p * 4 + 3] = 255;
  }
  return out;
}

/** grey = sigmoid(opacity logit), alpha 255. */
export function opacityImage(maps: Float32Array, mapSize: number): Uint8ClampedArray {
  const n = mapSize * mapSize, out = new Uint8ClampedArray(n * 4);
  for (let p = 0; p < n; p++) {
    const g = to8(1 / (1 + Math.exp(-maps[p * CHANNELS + CH_OPACITY]!)));
    out[p * 4] = out[p * 4 + 1] = out[p * 4 + 2] = g;
    out[p * 4 + 3] = 255;
  }
  return out;
}

/** grey: 255 observed, 128 filled (unobserved), 0 outside every footprint; alpha 255. */
export function visibilityImage(visibility: Uint8Array): Uint8ClampedArray {
  const out = new Uint8ClampedArray(visibility.length * 4);
  const grey = [0, 128, 255];
  for (let p = 0; p < visibility.length; p++) {
    const g = grey[visibility[p]!] ?? 0;
    out[p * 4] = out[p * 4 + 1] = out[p * 4 + 2] = g;
    out[p * 4 + 3] = 255;
  }
  return out;
}
