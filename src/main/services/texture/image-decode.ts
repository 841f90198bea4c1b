import fs from 'node:fs';
import { createRequire } from 'node:module';
import { imageSize } from 'image-size';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { StudioError } from '@shared/api/errors';
import { PNG_CHANNELS, readPngHeader, type RasterImage } from '@shared/texture';

/** Longest side and pixel count an image file may have before it is refused outright (decoding it would take GBs). */
export const MAX_IMAGE_SIDE = 16_384;
export const MAX_IMAGE_PIXELS = 64 * 1024 * 1024;

export type ImageFormat = 'png' | 'jpeg' | 'svg';

export interface DecodedImage {
  image: RasterImage;
  format: ImageFormat;
  /** Channels in the file: 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA (a palette counts as 3, or 4 with transparency). */
  channels: number;
}

export function sniffFormat(bytes: Uint8Array): ImageFormat | null {
  if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  const head = Buffer.from(bytes.subarray(0, 4096)).toString('utf8').replace(/^\uFEFF/, '').trimStart();
  if (head.startsWith('<') && /<svg[\s>]/i.test(head)) return 'svg';
  return null;
}

function checkSize(name: string, width: number, height: number): void {
  if (!(width > 0 && height > 0)) throw new StudioError('BAD_REQUEST', `“${name}” has no pixels (${width}×${height}).`);
  if (width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE || width * height > MAX_IMAGE_PIXELS)
    throw new StudioError(
      'BAD_REQUEST',
      `“${name}” is ${width}×${height} pixels, too big to import (at most ${MAX_IMAGE_SIDE} px on a side and ${MAX_IMAGE_PIXELS / 1024 / 1024} megapixels). Make it smaller in an image editor first.`,
      { width, height },
    );
}

let resvg: typeof import('@resvg/resvg-wasm') | null = null;
async function loadResvg(): Promise<typeof import('@resvg/resvg-wasm')> {
  if (resvg) return resvg;
  const mod = await import('@resvg/resvg-wasm');
  const wasmPath = createRequire(import.meta.url).resolve('@resvg/resvg-wasm/index_bg.wasm');
  await mod.initWasm(fs.readFileSync(wasmPath));
  resvg = mod;
  return mod;
}

/**
 * Decodes a PNG, JPEG or SVG file to RGBA8 (straight alpha). The size is read from the header first, so a huge
 * image is refused before it is decoded. SVGs are rasterised by resvg (no scripts, no external files, no system
 * fonts) with their longer side at `svgLongSide` pixels.
 */
export async function decodeImageFile(bytes: Uint8Array, name: string, opts: { svgLongSide: number }): Promise<DecodedImage> {
  const format = sniffFormat(bytes);
  if (!format) throw new StudioError('BAD_REQUEST', `“${name}” is not a PNG, JPEG or SVG image.`);
  if (format === 'png') {
    let header;
    try {
      header = readPngHeader(bytes);
    } catch (err) {
      throw new StudioError('BAD_REQUEST', `“${name}” is not a readable PNG image (${(err as Error).message}).`);
    }
    checkSize(name, header.width, header.height);
    let png: PNG;
    try {
      png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    } catch (err) {
      throw new StudioError('BAD_REQUEST', `“${name}” is a damaged PNG image and cannot be read (${(err as Error).message}).`);
    }
    const hasTrns = Buffer.from(bytes).includes(Buffer.from('tRNS'));
    const channels = (PNG_CHANNELS[header.colourType] ?? 4) + (hasTrns && (header.colourType === 3 || header.colourType === 2 || header.colourType === 0) ? 1 : 0);
    return { image: { width: png.width, height: png.height, data: new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.byteLength) }, format, channels };
  }
  if (format === 'jpeg') {
    let dims: { width?: number; height?: number };
    try {
      dims = imageSize(bytes);
    } catch (err) {
      throw new StudioError('BAD_REQUEST', `“${name}” is not a readable JPEG image (${(err as Error).message}).`);
    }
    checkSize(name, dims.width ?? 0, dims.height ?? 0);
    try {
      const out = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_IMAGE_PIXELS / 1e6 + 1, maxMemoryUsageInMB: 1024 });
      return { image: { width: out.width, height: out.height, data: new Uint8ClampedArray(out.data.buffer, out.data.byteOffset, out.data.byteLength) }, format, channels: 3 };
    } catch (err) {
      throw new StudioError('BAD_REQUEST', `“${name}” is a damaged JPEG image and cannot be read (${(err as Error).message}).`);
    }
  }
  const { Resvg } = await loadResvg();
  try {
    const svg = Buffer.from(bytes).toString('utf8');
    const probe = new Resvg(svg, { font: { loadSystemFonts: false } });
    const w = probe.width;
    const h = probe.height;
    probe.free();
    if (!(w > 0 && h > 0)) throw new Error('it has no size');
    const fitTo = w >= h ? ({ mode: 'width', value: opts.svgLongSide } as const) : ({ mode: 'height', value: opts.svgLongSide } as const);
    const r = new Resvg(svg, { fitTo, font: { loadSystemFonts: false } });
    const rendered = r.render();
    const image = { width: rendered.width, height: rendered.height, data: new Uint8ClampedArray(rendered.pixels) };
    rendered.free();
    r.free();
    checkSize(name, image.width, image.height);
    // resvg hands back premultiplied RGBA; the document keeps straight alpha.
    const d = image.data;
    for (let i = 0; i < d.length; i += 4) {
      const a = d[i + 3];
      if (a > 0 && a < 255) {
        d[i] = Math.round((d[i] * 255) / a);
        d[i + 1] = Math.round((d[i + 1] * 255) / a);
        d[i + 2] = Math.round((d[i + 2] * 255) / a);
      }
    }
    return { image, format, channels: 4 };
  } catch (err) {
    if (err instanceof StudioError) throw err;
    throw new StudioError('BAD_REQUEST', `“${name}” is not a readable SVG image (${(err as Error).message}).`);
  }
}
