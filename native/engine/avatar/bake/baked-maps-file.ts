/**
 * `maps.bin`: the composed (single-level, summed over the pyramid) UV attribute maps of a bake and its visibility
 * map, as written by the studio's `avatar.bake` job and read by the texture editor and the re-sampler.
 *
 * Layout (all little-endian), version 1:
 *
 * | offset | type | field |
 * |---|---|---|
 * | 0 | 4 bytes | magic `"ABKM"` |
 * | 4 | u32 | version (1) |
 * | 8 | u32 | mapSize M |
 * | 12 | u32 | levels the bake used (the pyramid is composed; informational) |
 * | 16 | u32 | fit steps the bake ran (informational) |
 * | 20 | u32 | channels per texel (12, `uv-maps.ts` CHANNEL_NAMES order) |
 * | 24 | 8 bytes | reserved, zero |
 * | 32 | f32 × M²×12 | maps, row-major, row 0 = v≈0 (texel (x, y) ↔ UV ((x+½)/M, (y+½)/M)) |
 * | 32 + 48·M² | u8 × M² | visibility: 2 observed, 1 filled (unobserved), 0 outside every footprint |
 *
 * Platform-neutral (bytes in, bytes out). Bad files throw a `RangeError` that says what is wrong.
 */
import { CHANNELS } from './uv-maps';

export const BAKED_MAPS_MAGIC = 'ABKM';
export const BAKED_MAPS_VERSION = 1;
const HEADER_BYTES = 32;
/** Largest map size the reader accepts (a 4096² file is 805 MB; anything bigger is a corrupt header). */
export const MAX_BAKED_MAP_SIZE = 4096;

export interface BakedMaps {
  mapSize: number;
  levels: number;
  steps: number;
  /** M² × CHANNELS floats (the composed maps). */
  maps: Float32Array;
  /** M² bytes. */
  visibility: Uint8Array;
}

/** Bytes of a `maps.bin` for a map size. */
export function bakedMapsFileSize(mapSize: number): number {
  return HEADER_BYTES + mapSize * mapSize * (CHANNELS * 4 + 1);
}

export function writeBakedMaps(m: BakedMaps): Uint8Array {
  const M = m.mapSize;
  if (!(Number.isInteger(M) && M >= 1 && M <= MAX_BAKED_MAP_SIZE)) throw new RangeError(`maps.bin: map size must be an integer in 1..${MAX_BAKED_MAP_SIZE}, got ${M}`);
  if (m.maps.length !== M * M * CHANNELS) throw new RangeError(`maps.bin: expected ${M}²×${CHANNELS} floats, got ${m.maps.length}`);
  if (m.visibility.length !== M * M) throw new RangeError(`maps.bin: expected ${M}² visibility bytes, got ${m.visibility.length}`);
  const out = new Uint8Array(bakedMapsFileSize(M));
  const view = new DataView(out.buffer);
  for (let i = 0; i < 4; i++) out[i] = BAKED_MAPS_MAGIC.charCodeAt(i);
  view.setUint32(4, BAKED_MAPS_VERSION, true);
  view.setUint32(8, M, true);
  view.setUint32(12, m.levels, true);
  view.setUint32(16, m.steps, true);
  view.setUint32(20, CHANNELS, true);
  // Float32Array is platform-endian; every platform the studio runs on is little-endian, which the format fixes.
  out.set(new Uint8Array(m.maps.buffer, m.maps.byteOffset, m.maps.byteLength), HEADER_BYTES);
  out.set(m.visibility, HEADER_BYTES + M * M * CHANNELS * 4);
  return out;
}

export function readBakedMaps(bytes: Uint8Array): BakedMaps {
  if (bytes.length < HEADER_BYTES) throw new RangeError(`maps.bin: ${bytes.length} bytes is shorter than the ${HEADER_BYTES}-byte header (truncated?).`);
  const magic = String.fromCharCode(bytes[0]!, bytes[1]!, bytes[2]!, bytes[3]!);
  if (magic !== BAKED_MAPS_MAGIC) throw new RangeError(`maps.bin: not a baked-maps file (no "${BAKED_MAPS_MAGIC}" signature).`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(4, true);
  if (version !== BAKED_MAPS_VERSION) throw new RangeError(`maps.bin: version ${version} is not known (this studio reads version ${BAKED_MAPS_VERSION}); bake the avatar again.`);
  const M = view.getUint32(8, true), levels = view.getUint32(12, true), steps = view.getUint32(16, true), channels = view.getUint32(20, true);
  if (!(M >= 1 && M <= MAX_BAKED_MAP_SIZE)) throw new RangeError(`maps.bin: bad map size ${M}.`);
  if (channels !== CHANNELS) throw new RangeError(`maps.bin: ${channels} channels per texel, expected ${CHANNELS}.`);
  const expected = bakedMapsFileSize(M);
  if (bytes.length !== expected)
    throw new RangeError(`maps.bin: ${bytes.length} bytes, but a ${M}² map with ${CHANNELS} channels needs ${expected}${bytes.length < expected ? ' (truncated?)' : ''}.`);
  // Copies: the caller keeps the arrays, and `bytes` may not be 4-byte aligned.
  const maps = new Float32Array(bytes.slice(HEADER_BYTES, HEADER_BYTES + M * M * CHANNELS * 4).buffer);
  const visibility = bytes.slice(HEADER_BYTES + M * M * CHANNELS * 4, expected);
  for (let p = 0; p < visibility.length; p++) if (visibility[p]! > 2) throw new RangeError(`maps.bin: visibility value ${visibility[p]} at texel ${p} (expected 0, 1 or 2).`);
  return { mapSize: M, levels, steps, maps, visibility };
}
