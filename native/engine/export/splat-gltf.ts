/**
 * glTF 2.0 binary (`.glb`) with `KHR_gaussian_splatting`, following the extension's Review Draft text in
 * KhronosGroup/glTF (extensions/2.0/Khronos/KHR_gaussian_splatting/README.md, commit 07ee802): one POINTS primitive
 * whose attributes are
 *
 * | attribute | accessor | value |
 * |---|---|---|
 * | `POSITION` | VEC3 float (min/max) | mean |
 * | `COLOR_0` | VEC4 float | fallback colour: clamp(SH DC · C0 + 0.5), alpha = opacity |
 * | `KHR_gaussian_splatting:ROTATION` | VEC4 float | unit quaternion **(x, y, z, w)** |
 * | `KHR_gaussian_splatting:SCALE` | VEC3 float | log standard deviations (the spec stores scale in log space) |
 * | `KHR_gaussian_splatting:OPACITY` | SCALAR float | sigmoid(logit), in [0, 1] |
 * | `KHR_gaussian_splatting:SH_DEGREE_ℓ_COEF_n` | VEC3 float | SH coefficient k = ℓ² + n, RGB |
 *
 * and the extension object `{kernel: 'ellipse', colorSpace: 'srgb_rec709_display', sortingMethod: 'cameraDistance',
 * projection: 'perspective'}`. Each attribute has its own tightly packed buffer view in the single BIN chunk.
 * Platform-neutral: returns bytes. Expects finite Gaussians with unit quaternions (`finiteSplats`).
 */
import type { SplatCloud } from './splat-cloud';

export const KHR_GAUSSIAN_SPLATTING = 'KHR_gaussian_splatting';
const FLOAT = 5126;
const ARRAY_BUFFER = 34962;
const POINTS = 0;
const SH_C0 = 0.28209479177387814;

interface Attribute {
  name: string;
  type: 'SCALAR' | 'VEC3' | 'VEC4';
  data: Float32Array;
  minMax?: boolean;
}

export interface GltfSplatOptions {
  generator?: string;
  /** Free-form settings recorded in `asset.extras` (frame, expression, avatar id). */
  extras?: Record<string, unknown>;
  nodeName?: string;
}

export function writeSplatGlb(cloud: SplatCloud, options: GltfSplatOptions = {}): Uint8Array {
  const n = cloud.count, K = (cloud.shDegree + 1) ** 2;
  const position = new Float32Array(n * 3), color = new Float32Array(n * 4), rotation = new Float32Array(n * 4);
  const scale = new Float32Array(n * 3), opacity = new Float32Array(n);
  const coeffs = Array.from({ length: K }, () => new Float32Array(n * 3));
  for (let i = 0; i < n; i++) {
    const alpha = 1 / (1 + Math.exp(-cloud.opacities[i]));
    opacity[i] = alpha;
    for (let a = 0; a < 3; a++) {
      position[i * 3 + a] = cloud.means[i * 3 + a];
      scale[i * 3 + a] = cloud.logScales[i * 3 + a];
      color[i * 4 + a] = Math.min(1, Math.max(0, cloud.sh[i * K * 3 + a] * SH_C0 + 0.5));
    }
    color[i * 4 + 3] = alpha;
    // (w, x, y, z) → (x, y, z, w)
    for (let a = 0; a < 3; a++) rotation[i * 4 + a] = cloud.rotations[i * 4 + 1 + a];
    rotation[i * 4 + 3] = cloud.rotations[i * 4];
    for (let k = 0; k < K; k++) for (let c = 0; c < 3; c++) coeffs[k][i * 3 + c] = cloud.sh[(i * K + k) * 3 + c];
  }
  const attrs: Attribute[] = [
    { name: 'POSITION', type: 'VEC3', data: position, minMax: true },
    { name: 'COLOR_0', type: 'VEC4', data: color },
    { name: `${KHR_GAUSSIAN_SPLATTING}:ROTATION`, type: 'VEC4', data: rotation },
    { name: `${KHR_GAUSSIAN_SPLATTING}:SCALE`, type: 'VEC3', data: scale },
    { name: `${KHR_GAUSSIAN_SPLATTING}:OPACITY`, type: 'SCALAR', data: opacity },
  ];
  for (let l = 0; l <= cloud.shDegree; l++)
    for (let m = 0; m < 2 * l + 1; m++) attrs.push({ name: `${KHR_GAUSSIAN_SPLATTING}:SH_DEGREE_${l}_COEF_${m}`, type: 'VEC3', data: coeffs[l * l + m] });

  const bufferViews: object[] = [], accessors: object[] = [], attributes: Record<string, number> = {};
  let byteLength = 0;
  for (const attr of attrs) {
    const comps = attr.type === 'SCALAR' ? 1 : attr.type === 'VEC3' ? 3 : 4;
    const accessor: Record<string, unknown> = { bufferView: bufferViews.length, componentType: FLOAT, count: n, type: attr.type };
    if (attr.minMax) {
      const min = Array(comps).fill(Infinity), max = Array(comps).fill(-Infinity);
      for (let i = 0; i < n; i++)
        for (let a = 0; a < comps; a++) {
          // glTF compares min/max with the f32 values as stored.
          min[a] = Math.min(min[a], attr.data[i * comps + a]);
          max[a] = Math.max(max[a], attr.data[i * comps + a]);
        }
      accessor.min = min;
      accessor.max = max;
    }
    attributes[attr.name] = accessors.length;
    accessors.push(accessor);
    bufferViews.push({ buffer: 0, byteOffset: byteLength, byteLength: attr.data.byteLength, target: ARRAY_BUFFER });
    byteLength += attr.data.byteLength;
  }
  const json = {
    asset: { version: '2.0', generator: options.generator ?? 'Avatar Studio', ...(options.extras ? { extras: options.extras } : {}) },
    extensionsUsed: [KHR_GAUSSIAN_SPLATTING],
    scene: 0,
    scenes: [{ nodes: [0] }],
    nodes: [{ mesh: 0, name: options.nodeName ?? 'avatar' }],
    meshes: [
      {
        primitives: [
          {
            attributes,
            mode: POINTS,
            extensions: { [KHR_GAUSSIAN_SPLATTING]: { kernel: 'ellipse', colorSpace: 'srgb_rec709_display', sortingMethod: 'cameraDistance', projection: 'perspective' } },
          },
        ],
      },
    ],
    accessors,
    bufferViews,
    buffers: [{ byteLength }],
  };
  const jsonBytes = new TextEncoder().encode(JSON.stringify(json));
  const jsonLen = align4(jsonBytes.length), binLen = align4(byteLength);
  const total = 12 + 8 + jsonLen + 8 + binLen;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint32(0, 0x46546c67, true); // "glTF"
  view.setUint32(4, 2, true);
  view.setUint32(8, total, true);
  view.setUint32(12, jsonLen, true);
  view.setUint32(16, 0x4e4f534a, true); // "JSON"
  out.set(jsonBytes, 20);
  out.fill(0x20, 20 + jsonBytes.length, 20 + jsonLen); // JSON chunk padding: spaces
  const bin = 20 + jsonLen;
  view.setUint32(bin, binLen, true);
  view.setUint32(bin + 4, 0x004e4942, true); // "BIN\0"
  let o = bin + 8;
  for (const attr of attrs) {
    out.set(new Uint8Array(attr.data.buffer, attr.data.byteOffset, attr.data.byteLength), o);
    o += attr.data.byteLength;
  }
  return out;
}

function align4(n: number): number {
  return (n + 3) & ~3;
}
