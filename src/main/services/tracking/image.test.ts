import zlib from 'node:zlib';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { StudioError } from '@shared/api/errors';
import { decodeImage, encodeMaskPng } from './image';

function refusal(f: () => unknown): StudioError {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(StudioError);
    expect((err as StudioError).code).toBe('BAD_REQUEST');
    return err as StudioError;
  }
  throw new Error('expected a refusal');
}

describe('photo and frame decoding', () => {
  const photo = new Uint8Array(jpeg.encode({ width: 24, height: 20, data: Buffer.alloc(24 * 20 * 4, 120) }, 90).data);

  it('decodes JPEG to RGB and PNG to RGBA', () => {
    expect(decodeImage(photo)).toMatchObject({ width: 24, height: 20, channels: 3 });
    const mask = decodeImage(encodeMaskPng({ width: 9, height: 7, data: new Uint8Array(63).fill(200) }));
    expect(mask).toMatchObject({ width: 9, height: 7, channels: 4 });
  });

  it('refuses what is not an image, damaged files and oversized ones with a StudioError naming the file', () => {
    expect(refusal(() => decodeImage(new TextEncoder().encode('hello'), 'notes.jpg')).message).toBe('“notes.jpg” is not a JPEG or PNG image.');
    expect(refusal(() => decodeImage(photo.subarray(0, 300), 'cut.jpg')).message).toMatch(/“cut\.jpg” is a damaged JPEG image and cannot be read/);
    const png = Buffer.from(PNG.sync.write(new PNG({ width: 8, height: 8 })));
    const crcBroken = Buffer.from(png);
    crcBroken[40] ^= 0xff;
    expect(refusal(() => decodeImage(new Uint8Array(crcBroken), 'frame.png')).message).toMatch(/“frame\.png” is a damaged PNG image/);
    const huge = Buffer.from(png);
    huge.writeUInt32BE(20_000, 16);
    huge.writeUInt32BE(zlib.crc32(huge.subarray(12, 29)) >>> 0, 29);
    expect(refusal(() => decodeImage(new Uint8Array(huge), 'huge.png')).message).toMatch(/huge\.png” is 20000×8 pixels, too big/);
  });
});
