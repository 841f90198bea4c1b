/**
 * Images from outside: stickers and imported maps (PNG / JPEG / SVG through `decodeImageFile`,
 * src/main/services/texture/image-decode.ts) and photos / frames / masks (JPEG / PNG through `decodeImage`,
 * src/main/services/tracking/image.ts). Seeds are small images of each kind (RGBA, grey 16-bit, palette with tRNS,
 * interlaced PNG; baseline JPEGs; a few SVGs); mutations aim at the PNG chunk lengths and IHDR size, the JPEG
 * segment lengths and frame size, and the SVG's numbers (width, height, viewBox, coordinates).
 */
import { deflateSync } from 'node:zlib';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { decodeImageFile, MAX_IMAGE_PIXELS, MAX_IMAGE_SIDE, SVG_RENDER_TIMEOUT_MS, type DecodedImage } from '../../../src/main/services/texture/image-decode';
import { decodeImage } from '../../../src/main/services/tracking/image';
import type { RgbImage } from '../../../native/tracking/types';
import { byteMutators, type Field, type Mutator, type Rng } from '../../../src/main/testing/fuzz';
import { be16, be32, type FuzzTarget } from './common';

function png(width: number, height: number, opts: { colorType?: 0 | 2 | 4 | 6; bitDepth?: 8 | 16; palette?: boolean } = {}): Uint8Array {
  const p = new PNG({ width, height, colorType: opts.colorType ?? 6, bitDepth: opts.bitDepth ?? 8, inputHasAlpha: true });
  for (let i = 0; i < p.data.length; i++) p.data[i] = (i * 37 + (i >> 6)) & 0xff;
  return new Uint8Array(PNG.sync.write(p, { colorType: opts.colorType ?? 6, bitDepth: opts.bitDepth ?? 8, inputHasAlpha: true }));
}

/** A palette PNG with a tRNS chunk and an Adam7-interlaced one, written by hand (pngjs writes neither). */
function handPng(kind: 'palette' | 'interlaced'): Uint8Array {
  const crcTable = Array.from({ length: 256 }, (_, n) => { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; return c >>> 0; });
  const crc = (b: Uint8Array) => { let c = 0xffffffff; for (const x of b) c = crcTable[(c ^ x) & 0xff]! ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; };
  const chunk = (type: string, data: number[] | Uint8Array) => {
    const body = Uint8Array.from([...type].map((c) => c.charCodeAt(0)).concat(Array.from(data)));
    const out = new Uint8Array(12 + data.length);
    const dv = new DataView(out.buffer);
    dv.setUint32(0, data.length);
    out.set(body, 4);
    dv.setUint32(8 + data.length, crc(body));
    return out;
  };
  const w = 9, h = 7;
  const parts: Uint8Array[] = [Uint8Array.of(137, 80, 78, 71, 13, 10, 26, 10)];
  const ihdr = (ct: number, interlace: number) => [0, 0, 0, w, 0, 0, 0, h, 8, ct, 0, 0, interlace];
  if (kind === 'palette') {
    parts.push(chunk('IHDR', ihdr(3, 0)), chunk('PLTE', [255, 0, 0, 0, 255, 0, 0, 0, 255, 9, 9, 9]), chunk('tRNS', [255, 128, 0]));
    const raw: number[] = [];
    for (let y = 0; y < h; y++) { raw.push(0); for (let x = 0; x < w; x++) raw.push((x + y) % 4); }
    parts.push(chunk('IDAT', deflateSync(Uint8Array.from(raw))));
  } else {
    parts.push(chunk('IHDR', ihdr(2, 1)));
    // Adam7 passes of a w×h RGB image: each pass's rows with a filter byte
    const passes = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]];
    const raw: number[] = [];
    for (const [x0, y0, dx, dy] of passes) {
      const pw = Math.ceil((w - x0!) / dx!), ph = Math.ceil((h - y0!) / dy!);
      if (pw <= 0 || ph <= 0) continue;
      for (let y = 0; y < ph; y++) { raw.push(0); for (let x = 0; x < pw; x++) raw.push(x * 20, y * 30, 128); }
    }
    parts.push(chunk('IDAT', deflateSync(Uint8Array.from(raw))));
  }
  parts.push(chunk('IEND', []));
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

function jpg(width: number, height: number, quality: number): Uint8Array {
  const data = Buffer.alloc(width * height * 4);
  for (let i = 0; i < data.length; i++) data[i] = (i * 13 + (i >> 5) * 7) & 0xff;
  return new Uint8Array(jpeg.encode({ width, height, data }, quality).data);
}

const SVGS = [
  '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="48" viewBox="0 0 64 48"><rect x="4" y="4" width="40" height="30" fill="#c33" opacity="0.5"/><circle cx="40" cy="30" r="12" fill="blue"/></svg>',
  '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 100 100"><defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/><stop offset="1" stop-color="#000" stop-opacity="0.2"/></linearGradient><path id="p" d="M10 10 L90 20 Q50 90 10 80 Z"/></defs><use xlink:href="#p" fill="url(#g)"/><use xlink:href="#p" transform="rotate(30 50 50) scale(0.5)" stroke="red" stroke-width="3" fill="none"/></svg>',
  '<svg xmlns="http://www.w3.org/2000/svg" width="30" height="90"><g transform="translate(5 5)"><polygon points="0,0 20,10 10,80" fill="green"/><ellipse cx="10" cy="40" rx="8" ry="30" fill="none" stroke="#000" stroke-dasharray="2 1"/></g><filter id="b"><feGaussianBlur stdDeviation="2"/></filter><rect width="10" height="10" filter="url(#b)"/></svg>',
];

/** Offsets and fields of a PNG (chunk lengths, IHDR size) or a JPEG (segment lengths, SOF size and components). */
function imageStructure(b: Uint8Array): { offsets: number[]; fields: Field[] } {
  const offsets: number[] = [], fields: Field[] = [];
  if (b[0] === 0x89 && b[1] === 0x50) {
    for (let p = 8, n = 0; p + 8 <= b.length && n < 1000; n++) {
      offsets.push(p, p + 8);
      fields.push({ offset: p, size: 4, littleEndian: false, label: 'chunk length' });
      if (b[p + 4] === 0x49 && b[p + 5] === 0x48) fields.push({ offset: p + 8, size: 4, littleEndian: false, label: 'width' }, { offset: p + 12, size: 4, littleEndian: false, label: 'height' }, { offset: p + 16, size: 1, littleEndian: false, label: 'bit depth' }, { offset: p + 17, size: 1, littleEndian: false, label: 'colour type' }, { offset: p + 20, size: 1, littleEndian: false, label: 'interlace' });
      p += 12 + be32(b, p);
    }
  } else if (b[0] === 0xff && b[1] === 0xd8) {
    for (let p = 2, n = 0; p + 4 <= b.length && n < 1000; n++) {
      if (b[p] !== 0xff) break;
      const marker = b[p + 1]!;
      offsets.push(p);
      if (marker === 0xda) { offsets.push(p + 2 + be16(b, p + 2)); break; }
      fields.push({ offset: p + 2, size: 2, littleEndian: false, label: `segment ${marker.toString(16)} length` });
      if (marker >= 0xc0 && marker <= 0xc2) fields.push({ offset: p + 5, size: 2, littleEndian: false, label: 'height' }, { offset: p + 7, size: 2, littleEndian: false, label: 'width' }, { offset: p + 9, size: 1, littleEndian: false, label: 'components' }, { offset: p + 11, size: 1, littleEndian: false, label: 'sampling' });
      if (marker === 0xc4) fields.push({ offset: p + 5, size: 1, littleEndian: false, label: 'huffman count' });
      p += 2 + be16(b, p + 2);
    }
  }
  return { offsets, fields };
}

const isSvg = (b: Uint8Array) => b[0] === 0x3c;

/** Replaces one number in an SVG's text with an absurd one (sizes, viewBox, coordinates, radii, stop offsets). */
const svgNumber: Mutator<Uint8Array> = {
  name: 'svg-number',
  weight: 6,
  apply: (b, rng: Rng) => {
    if (!isSvg(b)) return null;
    const text = new TextDecoder().decode(b);
    const nums = [...text.matchAll(/-?\d+(\.\d+)?/g)];
    if (!nums.length) return null;
    const m = rng.pick(nums);
    const v = rng.pick(['0', '-1', '1e9', '1e38', '1e308', '-1e308', '0.0000001', '99999999', '2147483648', 'NaN', 'inf', '16385', '4096']);
    return { value: new TextEncoder().encode(text.slice(0, m.index) + v + text.slice(m.index! + m[0].length)), label: `svg number@${m.index}=${v}` };
  },
};

/** Multiplies an SVG element (the billion-laughs shape a hostile file would use), or nests groups deeply. */
const svgBlowUp: Mutator<Uint8Array> = {
  name: 'svg-blow-up',
  weight: 1,
  apply: (b, rng: Rng) => {
    if (!isSvg(b)) return null;
    const text = new TextDecoder().decode(b);
    const close = text.lastIndexOf('</svg>');
    if (close < 0) return null;
    const k = rng.int(3);
    const insert =
      k === 0 ? '<g>'.repeat(3000) + '<rect width="5" height="5"/>' + '</g>'.repeat(3000)
        : k === 1 ? `<defs><rect id="r0" width="1" height="1"/>${Array.from({ length: 12 }, (_, i) => `<g id="r${i + 1}"><use href="#r${i}"/><use href="#r${i}"/><use href="#r${i}"/></g>`).join('')}</defs><use href="#r12"/>`
          : `<text x="1" y="20" font-size="${rng.pick(['12', '1e6'])}">${'x'.repeat(rng.pick([10, 10_000]))}</text>`;
    return { value: new TextEncoder().encode(text.slice(0, close) + insert + text.slice(close)), label: `svg blow-up ${['deep groups', 'use fan-out 3^12', 'text'][k]}` };
  },
};

function checkDecoded(d: DecodedImage | RgbImage): void {
  const img = 'image' in d ? d.image : d;
  const channels = 'image' in d ? 4 : d.channels;
  if (!(img.width >= 1 && img.height >= 1 && img.width <= MAX_IMAGE_SIDE && img.height <= MAX_IMAGE_SIDE && img.width * img.height <= MAX_IMAGE_PIXELS)) throw new Error(`decoded ${img.width}×${img.height}`);
  if (img.data.length !== img.width * img.height * channels) throw new Error(`decoded ${img.data.length} bytes for ${img.width}×${img.height}×${channels}`);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; return c >>> 0; });

/** Recomputes every PNG chunk's CRC, so the mutations before it reach the decoder instead of its CRC check. */
const pngFixCrc: Mutator<Uint8Array> = {
  name: 'png-fix-crc',
  weight: 3,
  apply: (b) => {
    if (!(b[0] === 0x89 && b[1] === 0x50)) return null;
    const out = b.slice();
    const dv = new DataView(out.buffer);
    for (let p = 8; p + 12 <= out.length; ) {
      const len = dv.getUint32(p);
      if (p + 12 + len > out.length) break;
      let c = 0xffffffff;
      for (let i = p + 4; i < p + 8 + len; i++) c = CRC_TABLE[(c ^ out[i]!) & 0xff]! ^ (c >>> 8);
      dv.setUint32(p + 8 + len, (c ^ 0xffffffff) >>> 0);
      p += 12 + len;
    }
    return { value: out, label: 'png-fix-crc' };
  },
};

const imageMutators = (svg: boolean): Mutator<Uint8Array>[] => [
  ...byteMutators({ offsets: (b) => imageStructure(b).offsets, fields: (b) => imageStructure(b).fields }),
  pngFixCrc,
  ...(svg ? [svgNumber, svgBlowUp] : []),
];

export const stickerImageTarget: FuzzTarget = {
  name: 'image-sticker',
  about: 'PNG / JPEG / SVG stickers and imported maps through decodeImageFile (pngjs, jpeg-js, resvg)',
  ciIterations: 800,
  async create() {
    const seeds = [png(16, 12), png(7, 5, { colorType: 0, bitDepth: 16 }), handPng('palette'), handPng('interlaced'), jpg(16, 12, 80), jpg(33, 17, 20), ...SVGS.map((s) => new TextEncoder().encode(s))];
    const good = seeds[6]!;
    let n = 0;
    return {
      seeds,
      mutators: imageMutators(true),
      parse: (b: Uint8Array) => decodeImageFile(b, 'sticker', { svgLongSide: 128 }),
      check: checkDecoded,
      // resvg runs in WebAssembly: after every 50th case, a valid SVG must still render (a panic must not leave it broken)
      after: async () => {
        if (++n % 50 === 0) checkDecoded(await decodeImageFile(good, 'good.svg', { svgLongSide: 64 }));
      },
      // resvg's bound on an SVG is its worker's time limit; its worst memory (a million dash segments, ~400 MB) is
      // transient, released with the worker
      maxCaseMs: SVG_RENDER_TIMEOUT_MS + 2000,
      maxCaseMiB: 600,
      finish: async () => checkDecoded(await decodeImageFile(good, 'good.svg', { svgLongSide: 64 })),
    };
  },
};

export const photoImageTarget: FuzzTarget = {
  name: 'image-photo',
  about: 'JPEG / PNG photos, frames and masks through the tracker\'s decodeImage (jpeg-js, pngjs)',
  ciIterations: 800,
  async create() {
    return {
      seeds: [jpg(24, 20, 90), jpg(16, 16, 10), png(12, 9), png(5, 5, { colorType: 0 }), handPng('interlaced')],
      mutators: imageMutators(false),
      parse: (b: Uint8Array) => decodeImage(b, 'frame.jpg'),
      check: checkDecoded,
      maxCaseMs: 5000,
      maxCaseMiB: 300,
    };
  },
};
