import { readBufferBytes } from '../gpu/readback';
import type { ForwardState } from './forward';

/** Forward outputs on the CPU in the reference layout (CONVENTIONS.md): interleaved rgb, planar scalars. */
export interface ForwardImages {
  width: number;
  height: number;
  rgb: Float32Array; // H·W·3
  alpha: Float32Array; // H·W
  depth: Float32Array; // H·W
  finalT: Float32Array; // H·W
  /** Exclusive end of each pixel's contributors in the sorted intersection list. */
  lastContributor: Uint32Array; // H·W
  contributors: Uint32Array; // H·W
  features: Float32Array | null; // H·W·F
}

/** Reads every output image (tests, export, thumbnails); several readbacks, not for per-frame use. */
export async function readForwardImages(device: GPUDevice, state: ForwardState): Promise<ForwardImages> {
  const n = state.width * state.height;
  const color = new Float32Array(await readBufferBytes(device, state.color, 0, n * 16));
  const auxBytes = await readBufferBytes(device, state.aux, 0, n * 16);
  const auxF = new Float32Array(auxBytes);
  const auxU = new Uint32Array(auxBytes);
  const rgb = new Float32Array(n * 3);
  const alpha = new Float32Array(n);
  const depth = new Float32Array(n);
  const finalT = new Float32Array(n);
  const lastContributor = new Uint32Array(n);
  const contributors = new Uint32Array(n);
  for (let p = 0; p < n; p++) {
    rgb[p * 3] = color[p * 4];
    rgb[p * 3 + 1] = color[p * 4 + 1];
    rgb[p * 3 + 2] = color[p * 4 + 2];
    alpha[p] = color[p * 4 + 3];
    depth[p] = auxF[p * 4];
    finalT[p] = auxF[p * 4 + 1];
    lastContributor[p] = auxU[p * 4 + 2];
    contributors[p] = auxU[p * 4 + 3];
  }
  const features =
    state.features && state.featureDim > 0
      ? new Float32Array(await readBufferBytes(device, state.features, 0, n * state.featureDim * 4))
      : null;
  return { width: state.width, height: state.height, rgb, alpha, depth, finalT, lastContributor, contributors, features };
}

/** Reads the RGBA of a few pixels (e.g. from a 4096² render) without reading the whole image. */
export async function readPixelsRgba(device: GPUDevice, state: ForwardState, pixels: Array<[number, number]>): Promise<Float32Array[]> {
  const out: Float32Array[] = [];
  for (const [x, y] of pixels) {
    out.push(new Float32Array(await readBufferBytes(device, state.color, (y * state.width + x) * 16, 16)));
  }
  return out;
}
