import zlib from 'node:zlib';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { StudioError } from '@shared/api/errors';
import { checkSvgExpansion, decodeImageFile, MAX_SVG_USE_INSTANCES } from './image-decode';

async function refusal(p: Promise<unknown>): Promise<StudioError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(StudioError);
    expect((err as StudioError).code).toBe('BAD_REQUEST');
    return err as StudioError;
  }
  throw new Error('expected a refusal');
}

/** A small PNG whose IHDR is rewritten to `width`×`height` (CRC fixed): a tiny file claiming a huge image. */
function pngClaiming(width: number, height: number): Uint8Array {
  const p = new PNG({ width: 16, height: 12 });
  const b = Buffer.from(PNG.sync.write(p));
  b.writeUInt32BE(width, 16);
  b.writeUInt32BE(height, 20);
  b.writeUInt32BE(zlib.crc32(b.subarray(12, 29)) >>> 0, 29);
  return new Uint8Array(b);
}

describe('image decoding of stickers and imported maps', () => {
  it('refuses, before decoding, a PNG or JPEG whose data is far too short for the size it declares (within the pixel limit)', async () => {
    // 16384×4096 is allowed, but 600 bytes cannot hold it: pngjs would take seconds and ~800 MB to find out
    const t0 = performance.now();
    expect((await refusal(decodeImageFile(pngClaiming(16384, 4096), 'big.png', { svgLongSide: 64 }))).message).toMatch(/big\.png” is a damaged PNG image: it declares 16384×4096 pixels but holds only \d+ bytes/);
    const small = Buffer.from(jpeg.encode({ width: 16, height: 12, data: Buffer.alloc(16 * 12 * 4, 90) }, 80).data);
    const sof = small.indexOf(Buffer.from([0xff, 0xc0]));
    small.writeUInt16BE(4096, sof + 5);
    small.writeUInt16BE(16000, sof + 7);
    expect((await refusal(decodeImageFile(new Uint8Array(small), 'big.jpg', { svgLongSide: 64 }))).message).toMatch(/big\.jpg” is a damaged JPEG image: it declares 16000×4096 pixels but is only \d+ bytes long/);
    expect(performance.now() - t0).toBeLessThan(1000);
    // the bound is deflate's own limit: a real, fully transparent PNG at maximum compression (≈1028:1) still decodes
    const clear = PNG.sync.write(new PNG({ width: 1024, height: 1024 }), { deflateLevel: 9 });
    expect((await decodeImageFile(new Uint8Array(clear), 'clear.png', { svgLongSide: 64 })).image.width).toBe(1024);
  });

  it('refuses SVGs that multiply through nested <use>, nest absurdly deep or carry markup in entities; ordinary uses render', async () => {
    const bomb = (depth: number) =>
      `<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><defs><rect id="r0" width="1" height="1"/>${Array.from({ length: depth }, (_, i) => `<g id="r${i + 1}"><use href="#r${i}"/><use href="#r${i}"/><use href="#r${i}"/></g>`).join('')}</defs><use href="#r${depth}"/></svg>`;
    const t0 = performance.now();
    expect((await refusal(decodeImageFile(new TextEncoder().encode(bomb(10)), 'bomb.svg', { svgLongSide: 64 }))).message).toMatch(new RegExp(`more than ${MAX_SVG_USE_INSTANCES} elements through nested <use>`));
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(() => checkSvgExpansion(bomb(5), 'ok.svg')).not.toThrow(); // 3^5 = 243 copies is fine
    const cycle = '<svg xmlns="http://www.w3.org/2000/svg"><g id="a"><use href="#b"/></g><g id="b"><use href="#a"/></g></svg>';
    expect(() => checkSvgExpansion(cycle, 'cycle.svg')).toThrow(/nested <use>/);
    const deep = `<svg xmlns="http://www.w3.org/2000/svg">${'<g>'.repeat(600)}<rect width="1" height="1"/>${'</g>'.repeat(600)}</svg>`;
    expect(() => checkSvgExpansion(deep, 'deep.svg')).toThrow(/nests its elements more than 512 deep/);
    const entity = '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "<rect width=\'1\' height=\'1\'/>">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>';
    expect(() => checkSvgExpansion(entity, 'entity.svg')).toThrow(/entities that contain markup/);
    // glyph-style flat uses (a PDF's text) are plenty and fine
    const glyphs = `<svg xmlns="http://www.w3.org/2000/svg" width="100" height="20"><defs><path id="g" d="M0 0h2v2z"/></defs>${Array.from({ length: 3000 }, (_, i) => `<use href="#g" x="${i % 50}" y="${i % 7}"/>`).join('')}</svg>`;
    expect((await decodeImageFile(new TextEncoder().encode(glyphs), 'text.svg', { svgLongSide: 64 })).image.width).toBe(64);
    // a hostile file without '>' does not make the scan quadratic
    const t1 = performance.now();
    checkSvgExpansion(`<svg${'<a'.repeat(500_000)}`, 'open.svg');
    expect(performance.now() - t1).toBeLessThan(1000);
  });
});
