/**
 * Image helpers for tracking (Node): JPEG/PNG decoding (jpeg-js, pngjs: pure JS, no native build) and mask PNGs; the
 * affine warps into a model's input tensor and the luminance are platform-neutral, in native/tracking/affine.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { StudioError } from '@shared/api/errors';
import { checkImageHeader, MAX_IMAGE_PIXELS } from '../texture/image-decode';
import type { MaskImage, RgbImage } from '@tracking/types';

/**
 * Decodes a JPEG (to RGB) or PNG (to RGBA) photo, frame or mask. Every failure is a StudioError BAD_REQUEST naming
 * `name`: not an image, a damaged file, or a size over the studio's image limits (16384 px a side, 64 megapixels) —
 * read from the header and refused before anything is decoded (`checkImageHeader`).
 */
export function decodeImage(bytes: Uint8Array, name = 'image'): RgbImage {
  const quoted = `“${name}”`;
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) {
    checkImageHeader(bytes, name, 'jpeg');
    try {
      const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false, maxResolutionInMP: MAX_IMAGE_PIXELS / 1e6 + 1, maxMemoryUsageInMB: 1024 });
      return { width: img.width, height: img.height, data: img.data, channels: 3 };
    } catch (err) {
      throw new StudioError('BAD_REQUEST', `${quoted} is a damaged JPEG image and cannot be read (${describe(err)}).`);
    }
  }
  if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) {
    checkImageHeader(bytes, name, 'png');
    try {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return { width: png.width, height: png.height, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength), channels: 4 };
    } catch (err) {
      throw new StudioError('BAD_REQUEST', `${quoted} is a damaged PNG image and cannot be read (${describe(err)}).`);
    }
  }
  throw new StudioError('BAD_REQUEST', `${quoted} is not a JPEG or PNG image.`);
}

const describe = (err: unknown): string => (err instanceof Error ? err.message : String(err)).slice(0, 200);

export function readImage(file: string): RgbImage {
  return decodeImage(fs.readFileSync(file), path.basename(file));
}

/** Bilinear resize of a single-channel mask. */
export function resizeMask(mask: MaskImage, width: number, height: number): MaskImage {
  const out = new Uint8Array(width * height);
  const sx = mask.width / width;
  const sy = mask.height / height;
  for (let y = 0; y < height; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), mask.height - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, mask.height - 1);
    const wy = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), mask.width - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, mask.width - 1);
      const wx = fx - x0;
      const top = mask.data[y0 * mask.width + x0]! * (1 - wx) + mask.data[y0 * mask.width + x1]! * wx;
      const bot = mask.data[y1 * mask.width + x0]! * (1 - wx) + mask.data[y1 * mask.width + x1]! * wx;
      out[y * width + x] = Math.round(top * (1 - wy) + bot * wy);
    }
  }
  return { width, height, data: out };
}

/** 8-bit greyscale PNG of a mask. */
export function encodeMaskPng(mask: MaskImage): Buffer {
  const png = new PNG({ width: mask.width, height: mask.height, colorType: 0, inputColorType: 0, bitDepth: 8, inputHasAlpha: false });
  png.data = Buffer.from(mask.data.buffer, mask.data.byteOffset, mask.data.byteLength);
  return PNG.sync.write(png, { colorType: 0, inputColorType: 0, bitDepth: 8, inputHasAlpha: false });
}

/** RGB(A) → PNG (for debugging overlays and tests). */
export function encodeRgbPng(img: RgbImage): Buffer {
  const png = new PNG({ width: img.width, height: img.height });
  for (let i = 0, j = 0; i < img.width * img.height; i++, j += img.channels) {
    png.data[4 * i] = img.data[j]!;
    png.data[4 * i + 1] = img.data[j + 1]!;
    png.data[4 * i + 2] = img.data[j + 2]!;
    png.data[4 * i + 3] = 255;
  }
  return PNG.sync.write(png);
}
