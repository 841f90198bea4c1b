import { describe, expect, it } from 'vitest';
import { colourImage, opacityImage, visibilityImage } from './baked-map-images';
import { BAKED_MAPS_VERSION, bakedMapsFileSize, readBakedMaps, writeBakedMaps, type BakedMaps } from './baked-maps-file';
import { CH_OPACITY, CH_SH, CHANNELS } from './uv-maps';

function sample(M = 4): BakedMaps {
  const maps = Float32Array.from({ length: M * M * CHANNELS }, (_, i) => Math.sin(i * 0.37) * 3);
  const visibility = Uint8Array.from({ length: M * M }, (_, p) => p % 3);
  return { mapSize: M, levels: 3, steps: 120, maps, visibility };
}

describe('maps.bin', () => {
  it('round-trips maps, visibility and the header, bit for bit', () => {
    const m = sample(8);
    const bytes = writeBakedMaps(m);
    expect(bytes.length).toBe(bakedMapsFileSize(8));
    expect(String.fromCharCode(...bytes.subarray(0, 4))).toBe('ABKM');
    // An unaligned copy reads the same (files arrive in Node Buffers at any offset).
    const shifted = new Uint8Array(bytes.length + 1).subarray(1);
    shifted.set(bytes);
    for (const b of [bytes, shifted]) {
      const r = readBakedMaps(b);
      expect(r.mapSize).toBe(8);
      expect(r.levels).toBe(3);
      expect(r.steps).toBe(120);
      expect(r.maps).toEqual(m.maps);
      expect(r.visibility).toEqual(m.visibility);
    }
  });

  it('refuses truncated, foreign, unknown-version and inconsistent files with a message that says which', () => {
    const bytes = writeBakedMaps(sample(4));
    expect(() => readBakedMaps(bytes.subarray(0, 10))).toThrow(/shorter than the 32-byte header \(truncated\?\)/);
    expect(() => readBakedMaps(bytes.subarray(0, bytes.length - 5))).toThrow(/a 4² map with 12 channels needs \d+ \(truncated\?\)/);
    const foreign = bytes.slice();
    foreign.set([0x50, 0x4e, 0x47, 0x0d]);
    expect(() => readBakedMaps(foreign)).toThrow(/not a baked-maps file/);
    const future = bytes.slice();
    new DataView(future.buffer).setUint32(4, BAKED_MAPS_VERSION + 1, true);
    expect(() => readBakedMaps(future)).toThrow(new RegExp(`version ${BAKED_MAPS_VERSION + 1} is not known`));
    const channels = bytes.slice();
    new DataView(channels.buffer).setUint32(20, 9, true);
    expect(() => readBakedMaps(channels)).toThrow(/9 channels per texel, expected 12/);
    const huge = bytes.slice();
    new DataView(huge.buffer).setUint32(8, 1 << 20, true);
    expect(() => readBakedMaps(huge)).toThrow(/bad map size/);
    const vis = bytes.slice();
    vis[vis.length - 1] = 7;
    expect(() => readBakedMaps(vis)).toThrow(/visibility value 7/);
  });

  it('refuses to write arrays of the wrong size', () => {
    const m = sample(4);
    expect(() => writeBakedMaps({ ...m, maps: m.maps.subarray(1) })).toThrow(/expected 4²×12 floats/);
    expect(() => writeBakedMaps({ ...m, visibility: new Uint8Array(3) })).toThrow(/expected 4² visibility bytes/);
  });
});

describe('bake images', () => {
  it('colour = clamp(SH DC · C0 + 0.5), opacity = sigmoid(logit), visibility 0/128/255; alpha 255', () => {
    const M = 2;
    const maps = new Float32Array(M * M * CHANNELS);
    // texel 0: SH 0 → mid grey; texel 1: SH DC giving rgb (1, 0, 0.25); texel 2: far out of range → clamped.
    maps.set([0, 0, 0], CH_SH);
    maps.set([0.5 / 0.28209479177387814, -0.5 / 0.28209479177387814, -0.25 / 0.28209479177387814], CHANNELS + CH_SH);
    maps.set([100, -100, 0], 2 * CHANNELS + CH_SH);
    maps[CH_OPACITY] = 0;
    maps[CHANNELS + CH_OPACITY] = 50;
    maps[2 * CHANNELS + CH_OPACITY] = -50;
    const c = colourImage(maps, M);
    expect([...c.subarray(0, 8)]).toEqual([128, 128, 128, 255, 255, 0, 64, 255]);
    expect([...c.subarray(8, 12)]).toEqual([255, 0, 128, 255]);
    const o = opacityImage(maps, M);
    expect([o[0], o[4], o[8], o[11]]).toEqual([128, 255, 0, 255]);
    const v = visibilityImage(Uint8Array.from([0, 1, 2, 2]));
    expect([v[0], v[4], v[8], v[9], v[15]]).toEqual([0, 128, 255, 255, 255]);
  });
});
