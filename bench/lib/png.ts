/** Minimal PNG encoder (8-bit RGB, no interlace) using node:zlib. */
import { deflateSync } from 'node:zlib';
import { crc32 } from '../../native/engine/export/crc32';

export { crc32 };

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'ascii');
  Buffer.from(data).copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** Encodes an RGB image given as floats in [0, 1] (clamped), `stride` floats per pixel (3 or 4). */
export function encodePngRgb(pixels: ArrayLike<number>, width: number, height: number, stride = 3): Buffer {
  const raw = Buffer.alloc(height * (1 + width * 3));
  for (let y = 0; y < height; y++) {
    const row = y * (1 + width * 3);
    raw[row] = 0; // filter: none
    for (let x = 0; x < width; x++)
      for (let c = 0; c < 3; c++) {
        const v = pixels[(y * width + x) * stride + c];
        raw[row + 1 + x * 3 + c] = Math.round(Math.min(1, Math.max(0, Number.isFinite(v) ? v : 0)) * 255);
      }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type RGB
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array(0))]);
}

/** Places RGB images (same height, `stride` floats per pixel) side by side. */
export function hconcat(images: Array<{ data: ArrayLike<number>; stride: number }>, width: number, height: number): Float32Array {
  const W = width * images.length;
  const out = new Float32Array(W * height * 3);
  images.forEach((img, k) => {
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++)
        for (let c = 0; c < 3; c++) out[(y * W + k * width + x) * 3 + c] = img.data[(y * width + x) * img.stride + c];
  });
  return out;
}
