import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { decodePng, encodePng, readPngHeader } from './png';
import { createRaster } from './raster';

describe('png codec', () => {
  const img = createRaster(37, 23);
  for (let i = 0; i < img.data.length; i++) img.data[i] = (i * 7919) % 256;

  it('round-trips RGBA8 byte-exactly, and pngjs reads what it writes', () => {
    const bytes = encodePng(img);
    expect(decodePng(bytes).data).toEqual(img.data);
    const other = PNG.sync.read(Buffer.from(bytes));
    expect(new Uint8ClampedArray(other.data)).toEqual(img.data);
    expect(readPngHeader(bytes)).toMatchObject({ width: 37, height: 23, bitDepth: 8, colourType: 6 });
  });

  it('decodes pngjs RGB, grey and 16-bit files', () => {
    for (const [colorType, bitDepth] of [[2, 8], [0, 8], [6, 16], [4, 8]] as const) {
      const p = new PNG({ width: 37, height: 23, colorType, inputColorType: 6, bitDepth, inputHasAlpha: true });
      p.data = Buffer.from(img.data);
      const bytes = new Uint8Array(PNG.sync.write(p, { colorType, inputColorType: 6, bitDepth, inputHasAlpha: true }));
      const back = PNG.sync.read(Buffer.from(bytes));
      const ours = decodePng(bytes);
      // pngjs's own decode of its file is the reference (it expands grey/RGB the same way).
      expect(ours.data).toEqual(new Uint8ClampedArray(back.data));
    }
  });

  it('refuses what is not a PNG', () => {
    expect(() => decodePng(new Uint8Array(100))).toThrow(/not a PNG/);
  });
});
