import CRC32 from 'crc-32';
import { unzlibSync, zlibSync } from 'fflate';
import type { RasterImage } from './types';

/**
 * A small PNG codec for the studio's own layer files, platform-neutral (fflate for zlib): decodes non-interlaced
 * 8- and 16-bit greyscale, grey+alpha, RGB, RGBA and 8-bit palette PNGs to RGBA8; encodes RGBA8 with the Paeth
 * filter. Byte-exact both ways (a browser canvas would premultiply alpha and lose low-alpha colours). Files from
 * elsewhere (imports) are decoded in the host with pngjs/jpeg-js and re-encoded with this. Chunk CRCs come from the
 * crc-32 package: src/shared imports no engine code (docs/architecture.md, "Layers and import boundaries").
 */

const SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];


export interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  /** 0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA. */
  colourType: number;
  interlaced: boolean;
}

/** Channels per colour type (palette counts as 3, or 4 with a tRNS chunk). */
export const PNG_CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 3, 4: 2, 6: 4 };

export function readPngHeader(bytes: Uint8Array): PngHeader {
  if (bytes.length < 33 || SIGNATURE.some((b, i) => bytes[i] !== b)) throw new Error('not a PNG file');
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') throw new Error('PNG without an IHDR chunk');
  return { width: dv.getUint32(16), height: dv.getUint32(20), bitDepth: bytes[24], colourType: bytes[25], interlaced: bytes[28] === 1 };
}

export function decodePng(bytes: Uint8Array): RasterImage {
  const header = readPngHeader(bytes);
  const { width, height, bitDepth, colourType } = header;
  if (header.interlaced) throw new Error('interlaced PNGs are not supported here');
  if (!(colourType in PNG_CHANNELS) || (bitDepth !== 8 && !(bitDepth === 16 && colourType !== 3))) throw new Error(`unsupported PNG format (colour type ${colourType}, ${bitDepth}-bit)`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const idat: Uint8Array[] = [];
  let palette: Uint8Array | null = null;
  let trns: Uint8Array | null = null;
  for (let p = 8; p + 8 <= bytes.length; ) {
    const len = dv.getUint32(p);
    const type = String.fromCharCode(...bytes.subarray(p + 4, p + 8));
    const data = bytes.subarray(p + 8, p + 8 + len);
    if (data.length !== len) throw new Error('truncated PNG');
    if (type === 'IDAT') idat.push(data);
    else if (type === 'PLTE') palette = data;
    else if (type === 'tRNS') trns = data;
    else if (type === 'IEND') break;
    p += 12 + len;
  }
  const total = idat.reduce((s, c) => s + c.length, 0);
  const z = new Uint8Array(total);
  let off = 0;
  for (const c of idat) {
    z.set(c, off);
    off += c.length;
  }
  const raw = unzlibSync(z);
  const channels = PNG_CHANNELS[colourType];
  const bpp = (channels * bitDepth) / 8;
  const stride = width * bpp;
  if (raw.length < height * (stride + 1)) throw new Error('truncated PNG image data');
  const cur = new Uint8Array(stride);
  const prev = new Uint8Array(stride);
  const out: RasterImage = { width, height, data: new Uint8ClampedArray(width * height * 4) };
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    if (filter === 0) cur.set(line);
    else if (filter === 1) for (let i = 0; i < stride; i++) cur[i] = line[i] + (i >= bpp ? cur[i - bpp] : 0);
    else if (filter === 2) for (let i = 0; i < stride; i++) cur[i] = line[i] + prev[i];
    else if (filter === 3) for (let i = 0; i < stride; i++) cur[i] = line[i] + (((i >= bpp ? cur[i - bpp] : 0) + prev[i]) >> 1);
    else if (filter === 4)
      for (let i = 0; i < stride; i++) {
        const a = i >= bpp ? cur[i - bpp] : 0;
        const b = prev[i];
        const c = i >= bpp ? prev[i - bpp] : 0;
        const p = a + b - c;
        const pa = p > a ? p - a : a - p;
        const pb = p > b ? p - b : b - p;
        const pc = p > c ? p - c : c - p;
        cur[i] = line[i] + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
      }
    else throw new Error(`bad PNG filter ${filter}`);
    const d = out.data;
    if (colourType === 6 && bitDepth === 8) {
      d.set(cur, y * width * 4);
      prev.set(cur);
      continue;
    }
    for (let x = 0; x < width; x++) {
      const o = (y * width + x) * 4;
      const sample = (k: number) => (bitDepth === 16 ? Math.round((cur[(x * channels + k) * 2] * 256 + cur[(x * channels + k) * 2 + 1]) / 257) : cur[x * channels + k]);
      if (colourType === 3) {
        const idx = cur[x];
        d[o] = palette ? palette[idx * 3] : 0;
        d[o + 1] = palette ? palette[idx * 3 + 1] : 0;
        d[o + 2] = palette ? palette[idx * 3 + 2] : 0;
        d[o + 3] = trns && idx < trns.length ? trns[idx] : 255;
      } else if (colourType === 0 || colourType === 4) {
        d[o] = d[o + 1] = d[o + 2] = sample(0);
        d[o + 3] = colourType === 4 ? sample(1) : 255;
      } else {
        d[o] = sample(0);
        d[o + 1] = sample(1);
        d[o + 2] = sample(2);
        d[o + 3] = colourType === 6 ? sample(3) : 255;
      }
    }
    prev.set(cur);
  }
  return out;
}

export function encodePng(image: RasterImage, level: 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 = 6): Uint8Array {
  const { width, height, data } = image;
  const stride = width * 4;
  const raw = new Uint8Array(height * (stride + 1));
  for (let y = 0; y < height; y++) {
    const o = y * (stride + 1);
    raw[o] = 4;
    const row = y * stride;
    const up = (y - 1) * stride;
    for (let i = 0; i < stride; i++) {
      const a = i >= 4 ? data[row + i - 4] : 0;
      const b = y > 0 ? data[up + i] : 0;
      const c = i >= 4 && y > 0 ? data[up + i - 4] : 0;
      const p = a + b - c;
      const pa = p > a ? p - a : a - p;
      const pb = p > b ? p - b : b - p;
      const pc = p > c ? p - c : c - p;
      raw[o + 1 + i] = (data[row + i] - (pa <= pb && pa <= pc ? a : pb <= pc ? b : c)) & 0xff;
    }
  }
  const idat = zlibSync(raw, { level });
  const ihdr = new Uint8Array(13);
  const hv = new DataView(ihdr.buffer);
  hv.setUint32(0, width);
  hv.setUint32(4, height);
  ihdr.set([8, 6, 0, 0, 0], 8);
  const chunks = [chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', new Uint8Array(0))];
  const out = new Uint8Array(8 + chunks.reduce((s, c) => s + c.length, 0));
  out.set(SIGNATURE, 0);
  let off = 8;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  // The chunk's CRC-32 covers its type and data (crc-32 returns it signed; setUint32 takes the same 32 bits).
  dv.setUint32(8 + data.length, CRC32.buf(out.subarray(4, 8 + data.length)) >>> 0);
  return out;
}


/** Base64 without Buffer (the renderer has none); chunks keep String.fromCharCode's argument list short. */
export function bytesToBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}
