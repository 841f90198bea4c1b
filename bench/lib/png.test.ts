import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { crc32, encodePngRgb } from './png';

describe('png encoder', () => {
  it('crc32 of "IEND" is the well-known constant', () => {
    expect(crc32(Buffer.from('IEND'))).toBe(0xae426082);
  });
  it('writes a valid signature, IHDR and decodable IDAT', () => {
    const px = new Float32Array([1, 0, 0, 0, 1, 0, 0, 0, 1, 0.5, 0.5, 0.5]);
    const png = encodePngRgb(px, 2, 2);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.readUInt32BE(16)).toBe(2);
    const idatLen = png.readUInt32BE(33);
    expect(png.subarray(37, 41).toString('ascii')).toBe('IDAT');
    const raw = inflateSync(png.subarray(41, 41 + idatLen));
    expect([...raw]).toEqual([0, 255, 0, 0, 0, 255, 0, 0, 0, 0, 255, 128, 128, 128]);
  });
});
