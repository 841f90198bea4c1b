/**
 * Writer and reader of `avatar.bin`:
 * `"AVB1"`, u32 LE header length (padded so the data starts 4-byte aligned), a JSON header
 * `{count, shDegree, arrays: {name: ['u32' | 'f32', byteOffset, length]}}`, then the `BoundGaussianData` arrays.
 * Platform-neutral (no Node APIs), so the browser viewport reads the same file. Bad files throw a `RangeError` that
 * says what is wrong.
 */
import type { ShDegree } from '../../splat/scene';
import type { BoundGaussianData } from './bound-gaussians';

const MAGIC = [0x41, 0x56, 0x42, 0x31]; // "AVB1"

interface Header {
  count: number;
  shDegree: number;
  arrays: Record<string, [string, number, number]>;
}

export function parseAvatarBin(bytes: Uint8Array): BoundGaussianData {
  if (bytes.length < 8 || MAGIC.some((m, i) => bytes[i] !== m)) throw new RangeError('avatar.bin: not an avatar file (no "AVB1" signature).');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(4, true);
  if (8 + headerLength > bytes.length) throw new RangeError(`avatar.bin: the header claims ${headerLength} bytes but the file has ${bytes.length}.`);
  let header: Header;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as Header;
  } catch {
    throw new RangeError('avatar.bin: the header is not valid JSON.');
  }
  const n = header.count;
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`avatar.bin: bad Gaussian count ${String(n)}.`);
  if (![0, 1, 2, 3].includes(header.shDegree)) throw new RangeError(`avatar.bin: bad SH degree ${String(header.shDegree)}.`);
  const K = (header.shDegree + 1) ** 2;
  const dataStart = 8 + headerLength;
  const expected: Record<keyof Omit<BoundGaussianData, 'count' | 'shDegree'>, [string, number]> = {
    triangle: ['u32', n],
    barycentric: ['f32', n * 2],
    offset: ['f32', n],
    rotations: ['f32', n * 4],
    logScales: ['f32', n * 3],
    opacities: ['f32', n],
    sh: ['f32', n * K * 3],
  };
  const out: Record<string, Float32Array | Uint32Array> = {};
  for (const [name, [type, length]] of Object.entries(expected)) {
    const entry = header.arrays?.[name];
    if (!entry) throw new RangeError(`avatar.bin: the array "${name}" is missing.`);
    const [t, offset, len] = entry;
    if (t !== type || len !== length) throw new RangeError(`avatar.bin: "${name}" is ${t}[${len}], expected ${type}[${length}] for ${n} Gaussians.`);
    const start = dataStart + offset;
    if (offset % 4 !== 0 || start + len * 4 > bytes.length) throw new RangeError(`avatar.bin: "${name}" lies outside the file (truncated?).`);
    // Copy: the file's buffer may not be 4-byte aligned at `start`, and the caller may keep the arrays.
    const raw = bytes.slice(start, start + len * 4).buffer;
    out[name] = type === 'u32' ? new Uint32Array(raw) : new Float32Array(raw);
  }
  return {
    count: n,
    shDegree: header.shDegree as ShDegree,
    triangle: out.triangle as Uint32Array,
    barycentric: out.barycentric as Float32Array,
    offset: out.offset as Float32Array,
    rotations: out.rotations as Float32Array,
    logScales: out.logScales as Float32Array,
    opacities: out.opacities as Float32Array,
    sh: out.sh as Float32Array,
  };
}

/** `BoundGaussianData` as `avatar.bin` bytes (the layout above). */
export function serializeBound(data: BoundGaussianData): Uint8Array {
  const arrays = { triangle: data.triangle, barycentric: data.barycentric, offset: data.offset, rotations: data.rotations, logScales: data.logScales, opacities: data.opacities, sh: data.sh };
  const layout: Record<string, [string, number, number]> = {};
  let offset = 0;
  for (const [k, a] of Object.entries(arrays)) {
    layout[k] = [a instanceof Uint32Array ? 'u32' : 'f32', offset, a.length];
    offset += a.byteLength;
  }
  const header = new TextEncoder().encode(JSON.stringify({ count: data.count, shDegree: data.shDegree, arrays: layout }));
  const pad = (4 - ((8 + header.length) % 4)) % 4;
  const out = new Uint8Array(8 + header.length + pad + offset);
  out.set(MAGIC);
  new DataView(out.buffer).setUint32(4, header.length + pad, true);
  out.set(header, 8);
  out.fill(0x20, 8 + header.length, 8 + header.length + pad);
  let p = 8 + header.length + pad;
  for (const a of Object.values(arrays)) {
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), p);
    p += a.byteLength;
  }
  return out;
}
