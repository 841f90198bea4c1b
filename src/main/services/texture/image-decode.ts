import fs from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
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

export function checkSize(name: string, width: number, height: number): void {
  if (!(width > 0 && height > 0)) throw new StudioError('BAD_REQUEST', `“${name}” has no pixels (${width}×${height}).`);
  if (width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE || width * height > MAX_IMAGE_PIXELS)
    throw new StudioError(
      'BAD_REQUEST',
      `“${name}” is ${width}×${height} pixels, too big to import (at most ${MAX_IMAGE_SIDE} px on a side and ${MAX_IMAGE_PIXELS / 1024 / 1024} megapixels). Make it smaller in an image editor first.`,
      { width, height },
    );
}

/**
 * Deflate cannot expand data more than ~1032:1 (a 258-byte match in two bits), so a PNG whose compressed image data is
 * smaller than its pixels need at that ratio cannot hold them: it is damaged (or a decompression bomb), and pngjs would
 * still allocate and filter the whole declared image (a 600-byte file claiming 16384×4096 took 7 s and 800 MB).
 */
const MAX_DEFLATE_RATIO = 1032;
/** A baseline or progressive JPEG spends at least one bit per 8×8 luma block (DC code), so a file shorter than that cannot hold its declared size. */
const MIN_JPEG_BITS_PER_BLOCK = 1;

/**
 * The size of a PNG or JPEG read from its header, checked before anything is decoded: refused (StudioError
 * BAD_REQUEST) when it has no pixels, is over MAX_IMAGE_SIDE / MAX_IMAGE_PIXELS, or its compressed data is too short
 * to hold the pixels it declares. `format` is what sniffFormat said.
 */
export function checkImageHeader(bytes: Uint8Array, name: string, format: 'png' | 'jpeg'): { width: number; height: number } {
  if (format === 'png') {
    let header;
    try {
      header = readPngHeader(bytes);
    } catch (err) {
      throw new StudioError('BAD_REQUEST', `“${name}” is not a readable PNG image (${describe(err)}).`);
    }
    checkSize(name, header.width, header.height);
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let idat = 0;
    for (let p = 8; p + 8 <= bytes.length; ) {
      const len = dv.getUint32(p);
      if (bytes[p + 4] === 0x49 && bytes[p + 5] === 0x44 && bytes[p + 6] === 0x41 && bytes[p + 7] === 0x54) idat += Math.min(len, bytes.length - p - 8);
      p += 12 + len;
    }
    const bitsPerPixel = (PNG_CHANNELS[header.colourType] ?? 4) * (header.colourType === 3 ? Math.min(header.bitDepth, 8) / 3 : header.bitDepth);
    // the pixels' bytes without filter bytes or row padding: a lower bound for interlaced and sub-byte images too
    const rawBytes = Math.floor((header.height * header.width * Math.max(1, bitsPerPixel)) / 8);
    if (idat * MAX_DEFLATE_RATIO + 1024 < rawBytes)
      throw new StudioError('BAD_REQUEST', `“${name}” is a damaged PNG image: it declares ${header.width}×${header.height} pixels but holds only ${idat} bytes of image data.`);
    return { width: header.width, height: header.height };
  }
  let dims: { width?: number; height?: number };
  try {
    dims = imageSize(bytes);
  } catch (err) {
    throw new StudioError('BAD_REQUEST', `“${name}” is not a readable JPEG image (${describe(err)}).`);
  }
  const width = dims.width ?? 0, height = dims.height ?? 0;
  checkSize(name, width, height);
  const blocks = Math.ceil(width / 8) * Math.ceil(height / 8);
  if (bytes.length * 8 < blocks * MIN_JPEG_BITS_PER_BLOCK)
    throw new StudioError('BAD_REQUEST', `“${name}” is a damaged JPEG image: it declares ${width}×${height} pixels but is only ${bytes.length} bytes long.`);
  return { width, height };
}

/** Most element instances an SVG may expand to through `<use>` references (resvg's own cap, 1M nodes, takes seconds to reach and render). */
export const MAX_SVG_USE_INSTANCES = 20_000;
/** Deepest element nesting accepted in an SVG. */
const MAX_SVG_DEPTH = 512;

/**
 * Refuses an SVG whose `<use>` references multiply (each level of a group that uses another group three times
 * triples the tree: an 800-byte file can ask for 3^10 copies, seconds of rasterising in the services host), and
 * entity declarations that carry markup (the same trick through the DTD). A tag-level scan, not a full XML parse:
 * for every element with an id, the `<use>` elements inside it; then how many instances each reference expands to.
 * Flat files with many uses (a PDF's glyphs) stay well under the limit.
 */
export function checkSvgExpansion(svg: string, name: string): void {
  if (/<!ENTITY[^>]*</i.test(svg)) throw new StudioError('BAD_REQUEST', `“${name}” declares XML entities that contain markup; such SVGs are refused.`);
  const usesIn = new Map<string, string[]>();
  const topUses: string[] = [];
  const open: { tag: string; id: string | null }[] = [];
  // linear: each tag is the text between a '<' and the next '>' (no regex backtracking over a hostile file)
  for (let start = svg.indexOf('<'); start >= 0; start = svg.indexOf('<', start + 1)) {
    const end = svg.indexOf('>', start);
    if (end < 0) break;
    const m = /^<(\/?)([A-Za-z][\w:.-]*)([\s\S]*?)(\/?)$/.exec(svg.slice(start, end));
    if (!m) continue;
    const [, closing, tag, attrs, selfClosing] = m;
    if (closing) {
      for (let i = open.length - 1; i >= Math.max(0, open.length - 64); i--) if (open[i]!.tag === tag) { open.length = i; break; }
      continue;
    }
    const id = /\sid\s*=\s*["']([^"']*)["']/.exec(attrs!)?.[1] ?? null;
    if (tag === 'use' || tag!.endsWith(':use')) {
      const ref = /href\s*=\s*["']\s*#([^"']*)["']/.exec(attrs!)?.[1];
      if (ref !== undefined) {
        topUses.push(ref);
        for (const e of open) if (e.id !== null) usesIn.get(e.id)!.push(ref);
      }
    }
    if (id !== null && !usesIn.has(id)) usesIn.set(id, []);
    if (!selfClosing) open.push({ tag: tag!, id });
    if (open.length > MAX_SVG_DEPTH) throw new StudioError('BAD_REQUEST', `“${name}” nests its elements more than ${MAX_SVG_DEPTH} deep; such SVGs are refused.`);
  }
  const memo = new Map<string, number>();
  const instances = (id: string, depth: number): number => {
    const known = memo.get(id);
    if (known !== undefined) return known;
    if (depth > 64) return Infinity; // a reference cycle or an absurd chain
    memo.set(id, Infinity); // cycles count as infinite until resolved
    let n = 1;
    for (const ref of usesIn.get(id) ?? []) n += instances(ref, depth + 1);
    memo.set(id, n);
    return n;
  };
  let total = 0;
  for (const ref of topUses) {
    total += instances(ref, 0);
    if (total > MAX_SVG_USE_INSTANCES)
      throw new StudioError('BAD_REQUEST', `“${name}” expands to more than ${MAX_SVG_USE_INSTANCES} elements through nested <use> references; simplify it (or export it as PNG) first.`);
  }
}

const describe = (err: unknown): string => (err instanceof Error ? err.message : String(err)).slice(0, 300);

let resvg: typeof import('@resvg/resvg-wasm') | null = null;
async function loadResvg(): Promise<typeof import('@resvg/resvg-wasm')> {
  if (resvg) return resvg;
  const mod = await import('@resvg/resvg-wasm');
  const wasmPath = createRequire(import.meta.url).resolve('@resvg/resvg-wasm/index_bg.wasm');
  await mod.initWasm(fs.readFileSync(wasmPath));
  resvg = mod;
  return mod;
}

interface RenderedSvg {
  width: number;
  height: number;
  /** Premultiplied RGBA. */
  pixels: Uint8Array;
}

/** An SVG that has not rendered after this long is refused (its worker is ended, which also frees its memory). */
export const SVG_RENDER_TIMEOUT_MS = 10_000;
/** A render that took longer than this, or trapped, retires its worker: WebAssembly memory only grows, so a fresh one gives it back. */
const SVG_RECYCLE_AFTER_MS = 1_000;

/** The worker's code: resvg-wasm (the CommonJS build, by path) instantiated from the module the host compiled; one render per message. */
const SVG_WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const mod = require(workerData.modulePath);
const ready = mod.initWasm(workerData.wasmModule);
parentPort.on('message', async ({ id, svg, longSide }) => {
  try {
    await ready;
    const font = { loadSystemFonts: false };
    const probe = new mod.Resvg(svg, { font });
    let w, h;
    try { w = probe.width; h = probe.height; } finally { probe.free(); }
    if (!(w > 0 && h > 0)) throw new Error('it has no size');
    const fitTo = w >= h ? { mode: 'width', value: longSide } : { mode: 'height', value: longSide };
    const r = new mod.Resvg(svg, { fitTo, font });
    let out;
    try {
      const img = r.render();
      try { out = { width: img.width, height: img.height, pixels: img.pixels }; } finally { img.free(); }
    } finally { r.free(); }
    parentPort.postMessage({ id, ok: true, ...out }, [out.pixels.buffer]);
  } catch (e) {
    parentPort.postMessage({ id, ok: false, message: String((e && e.message) || e), trap: e instanceof WebAssembly.RuntimeError });
  }
});
`;

/**
 * Renders SVGs with resvg in a worker thread, one at a time, so that a file which makes resvg work for long (fine
 * dashes along an enormous ellipse: a million dash segments, seconds and ~400 MB) neither blocks the services host
 * nor keeps that memory: past SVG_RENDER_TIMEOUT_MS the worker is ended and the file refused, and a worker whose render
 * was slow or trapped is retired. Where a worker cannot load resvg (a packaged app whose modules a worker cannot
 * read), renders run in this thread as before.
 */
class SvgWorker {
  private worker: Worker | null = null;
  private next = 1;
  private chain: Promise<unknown> = Promise.resolve();
  /** resvg's compiled WebAssembly module (compiled once here; each worker instantiates it). */
  private wasmModule: object | null = null;
  private inThread = false;

  render(svg: string, longSide: number): Promise<RenderedSvg> {
    const run = this.chain.then(() => this.renderNow(svg, longSide));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private spawn(): Worker {
    const req = createRequire(import.meta.url);
    this.wasmModule ??= new WasmModule(fs.readFileSync(req.resolve('@resvg/resvg-wasm/index_bg.wasm')));
    // plain CommonJS: inherits no loaders or flags of this process (`--import tsx`, `--input-type`, `--inspect`)
    const w = new Worker(SVG_WORKER_SOURCE, { eval: true, execArgv: [], workerData: { modulePath: req.resolve('@resvg/resvg-wasm'), wasmModule: this.wasmModule } });
    w.unref();
    return w;
  }

  private retire(): void {
    void this.worker?.terminate();
    this.worker = null;
  }

  private async renderNow(svg: string, longSide: number): Promise<RenderedSvg> {
    if (this.inThread) return renderInThread(svg, longSide);
    let w: Worker;
    try {
      w = this.worker ??= this.spawn();
    } catch {
      this.inThread = true;
      return renderInThread(svg, longSide);
    }
    const id = this.next++;
    const t0 = performance.now();
    w.ref(); // a render in flight keeps the process alive
    try {
      const reply = await new Promise<{ ok: true; width: number; height: number; pixels: Uint8Array } | { ok: false; message: string; trap: boolean } | { failed: Error } | { timeout: true }>((resolve) => {
        const timer = setTimeout(() => resolve({ timeout: true }), SVG_RENDER_TIMEOUT_MS);
        const done = (v: Parameters<typeof resolve>[0]) => {
          clearTimeout(timer);
          w.off('message', onMessage);
          w.off('error', onError);
          resolve(v);
        };
        const onMessage = (m: { id: number }) => {
          if (m.id === id) done(m as never);
        };
        const onError = (err: Error) => done({ failed: err });
        w.on('message', onMessage);
        w.on('error', onError);
        w.postMessage({ id, svg, longSide });
      });
      if ('timeout' in reply) {
        this.retire();
        throw new StudioError('BAD_REQUEST', `took longer than ${SVG_RENDER_TIMEOUT_MS / 1000} s to render; simplify it (or export it as PNG) first`);
      }
      if ('failed' in reply) {
        // the worker could not start resvg: render here from now on
        this.retire();
        this.inThread = true;
        return renderInThread(svg, longSide);
      }
      if (!reply.ok) {
        if (reply.trap || performance.now() - t0 > SVG_RECYCLE_AFTER_MS) this.retire();
        throw new Error(reply.message);
      }
      if (performance.now() - t0 > SVG_RECYCLE_AFTER_MS) this.retire();
      return { width: reply.width, height: reply.height, pixels: reply.pixels };
    } finally {
      this.worker?.unref();
    }
  }
}

/** The same render as the worker's, in this thread (every wasm object freed, also when a step throws). */
async function renderInThread(svg: string, longSide: number): Promise<RenderedSvg> {
  const { Resvg } = await loadResvg();
  const probe = new Resvg(svg, { font: { loadSystemFonts: false } });
  let w: number, h: number;
  try {
    w = probe.width;
    h = probe.height;
  } finally {
    probe.free();
  }
  if (!(w > 0 && h > 0)) throw new Error('it has no size');
  const fitTo = w >= h ? ({ mode: 'width', value: longSide } as const) : ({ mode: 'height', value: longSide } as const);
  const r = new Resvg(svg, { fitTo, font: { loadSystemFonts: false } });
  try {
    const rendered = r.render();
    try {
      return { width: rendered.width, height: rendered.height, pixels: rendered.pixels };
    } finally {
      rendered.free();
    }
  } finally {
    r.free();
  }
}

// (the Node typings used here do not declare WebAssembly; it is a global of every Node)
const WasmModule = (globalThis as unknown as { WebAssembly: { Module: new (bytes: Uint8Array) => object } }).WebAssembly.Module;
const svgWorker = new SvgWorker();

/**
 * Decodes a PNG, JPEG or SVG file to RGBA8 (straight alpha). The size is read from the header first, so a huge
 * image is refused before it is decoded. SVGs are checked for multiplying `<use>` references, then rasterised by resvg
 * (no scripts, no external files, no system fonts; in a worker with a time limit, `SvgWorker`) with their longer side
 * at `svgLongSide` pixels.
 */
export async function decodeImageFile(bytes: Uint8Array, name: string, opts: { svgLongSide: number }): Promise<DecodedImage> {
  const format = sniffFormat(bytes);
  if (!format) throw new StudioError('BAD_REQUEST', `“${name}” is not a PNG, JPEG or SVG image.`);
  if (format === 'png') {
    checkImageHeader(bytes, name, 'png');
    const header = readPngHeader(bytes);
    let png: PNG;
    try {
      png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    } catch (err) {
      throw new StudioError('BAD_REQUEST', `“${name}” is a damaged PNG image and cannot be read (${describe(err)}).`);
    }
    const hasTrns = Buffer.from(bytes).includes(Buffer.from('tRNS'));
    const channels = (PNG_CHANNELS[header.colourType] ?? 4) + (hasTrns && (header.colourType === 3 || header.colourType === 2 || header.colourType === 0) ? 1 : 0);
    return { image: { width: png.width, height: png.height, data: new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.byteLength) }, format, channels };
  }
  if (format === 'jpeg') {
    checkImageHeader(bytes, name, 'jpeg');
    try {
      const out = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_IMAGE_PIXELS / 1e6 + 1, maxMemoryUsageInMB: 1024 });
      return { image: { width: out.width, height: out.height, data: new Uint8ClampedArray(out.data.buffer, out.data.byteOffset, out.data.byteLength) }, format, channels: 3 };
    } catch (err) {
      throw new StudioError('BAD_REQUEST', `“${name}” is a damaged JPEG image and cannot be read (${describe(err)}).`);
    }
  }
  try {
    const svg = Buffer.from(bytes).toString('utf8');
    checkSvgExpansion(svg, name);
    const rendered = await svgWorker.render(svg, opts.svgLongSide);
    const image: RasterImage = { width: rendered.width, height: rendered.height, data: new Uint8ClampedArray(rendered.pixels.buffer, rendered.pixels.byteOffset, rendered.pixels.byteLength) };
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
    if (err instanceof StudioError && err.message.startsWith('“')) throw err;
    throw new StudioError('BAD_REQUEST', `“${name}” is not a readable SVG image (${err instanceof StudioError ? err.message : describe(err)}).`);
  }
}
