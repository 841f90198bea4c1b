import { describe, expect, it } from 'vitest';
import {
  BLEND_MODES,
  BrushStroke,
  DEFAULT_BRUSH,
  TextureHistory,
  addLayer,
  cloneRaster,
  compositeTexture,
  createDocument,
  createRaster,
  dabFalloff,
  fillLayer,
  floodFill,
  imageLayer,
  moveLayer,
  paintLayer,
  pickColour,
  rasteriseSticker,
  removeLayer,
  stickerCornersUv,
  stickerLayer,
  updateLayer,
  type BlendMode,
  type RasterImage,
} from './index';

function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

function randomRaster(size: number, seed: number, alpha?: number): RasterImage {
  const r = rng(seed);
  const img = createRaster(size, size);
  for (let i = 0; i < img.data.length; i++) img.data[i] = Math.floor(r() * 256);
  if (alpha !== undefined) for (let i = 3; i < img.data.length; i += 4) img.data[i] = alpha;
  return img;
}

/** The W3C formulas written out per pixel, in doubles. */
function referenceBlend(mode: BlendMode, cb: number, cs: number): number {
  if (mode === 'normal') return cs;
  if (mode === 'multiply') return cb * cs;
  if (mode === 'screen') return 1 - (1 - cb) * (1 - cs);
  if (mode === 'overlay') return cb < 0.5 ? 2 * cs * cb : 1 - 2 * (1 - cs) * (1 - cb);
  return Math.min(1, cb + cs);
}

describe('compositeTexture', () => {
  it('matches a per-pixel reference for every blend mode, with opacity, hidden layers and a fill layer', () => {
    const M = 16;
    const base = randomRaster(M, 1, 255);
    for (const mode of BLEND_MODES) {
      const doc = createDocument(M);
      addLayer(doc, { ...paintLayer('a'), blend: mode, opacity: 0.7 }, randomRaster(M, 2));
      addLayer(doc, { ...imageLayer('b'), blend: 'normal', opacity: 0.5 }, randomRaster(M, 3));
      addLayer(doc, { ...imageLayer('hidden'), visible: false }, randomRaster(M, 4));
      addLayer(doc, { ...fillLayer([200, 40, 90]), blend: mode, opacity: 0.3 });
      const out = compositeTexture(base, doc.layers, doc.images);
      for (let t = 0; t < M * M; t++) {
        let c = [0, 1, 2].map((k) => base.data[t * 4 + k] / 255);
        let cov = 0;
        for (const layer of doc.layers) {
          if (!layer.visible) continue;
          const src = layer.kind === 'fill' ? [...layer.colour, 255] : [...doc.images[layer.id].data.subarray(t * 4, t * 4 + 4)];
          const a = (src[3] / 255) * layer.opacity;
          c = c.map((cb, k) => cb * (1 - a) + referenceBlend(layer.blend, cb, src[k] / 255) * a);
          cov = Math.max(cov, a);
        }
        for (let k = 0; k < 3; k++) expect(Math.abs(out.rgba[t * 4 + k] - c[k] * 255)).toBeLessThanOrEqual(0.51);
        expect(out.rgba[t * 4 + 3]).toBe(255);
        expect(Math.abs(out.coverage[t] - cov * 255)).toBeLessThanOrEqual(0.51);
      }
    }
  });

  it('keeps the base bytes exactly where no layer covers (coverage 0)', () => {
    const M = 8;
    const base = randomRaster(M, 5, 255);
    const doc = createDocument(M);
    const paint = createRaster(M, M);
    paint.data.set([255, 0, 0, 255], (3 * M + 3) * 4);
    addLayer(doc, paintLayer(), paint);
    const out = compositeTexture(base, doc.layers, doc.images);
    for (let t = 0; t < M * M; t++) {
      if (t === 3 * M + 3) {
        expect(out.coverage[t]).toBe(255);
        expect([...out.rgba.subarray(t * 4, t * 4 + 4)]).toEqual([255, 0, 0, 255]);
      } else {
        expect(out.coverage[t]).toBe(0);
        expect([...out.rgba.subarray(t * 4, t * 4 + 3)]).toEqual([...base.data.subarray(t * 4, t * 4 + 3)]);
      }
    }
    expect(pickColour(out, { u: 3.5 / M, v: 3.5 / M })).toEqual([255, 0, 0]);
  });
});

describe('brush', () => {
  it('falls off from 1 inside the hard core to 0 at the radius, monotonically', () => {
    expect(dabFalloff(0, 10, 0.5)).toBe(1);
    expect(dabFalloff(5, 10, 0.5)).toBe(1);
    expect(dabFalloff(10, 10, 0.5)).toBe(0);
    expect(dabFalloff(7.5, 10, 0.5)).toBeCloseTo(0.5, 5);
    let prev = 1;
    for (let d = 0; d <= 10; d += 0.25) {
      const v = dabFalloff(d, 10, 0.3);
      expect(v).toBeLessThanOrEqual(prev);
      prev = v;
    }
    // Hardness 0: soft all the way from the centre.
    expect(dabFalloff(2, 10, 0)).toBeLessThan(1);
  });

  it('paints one dab with the falloff, opacity and pressure, leaving texels outside the radius untouched', () => {
    const M = 32;
    const layer = createRaster(M, M);
    const stroke = new BrushStroke(layer, { mode: 'paint', colour: [10, 20, 30], brush: { ...DEFAULT_BRUSH, size: 10, hardness: 0.5, opacity: 0.8, pressureSize: false, pressureOpacity: true } });
    stroke.begin(16, 16, 0.5);
    const at = (x: number, y: number) => [...layer.data.subarray((y * M + x) * 4, (y * M + x) * 4 + 4)];
    expect(at(15, 15)).toEqual([10, 20, 30, Math.round(0.8 * 0.5 * dabFalloff(Math.hypot(0.5, 0.5), 5, 0.5) * 255)]);
    expect(at(15, 19)[3]).toBe(Math.round(0.4 * dabFalloff(Math.hypot(0.5, 3.5), 5, 0.5) * 255));
    expect(at(16, 22)[3]).toBe(0);
    expect(at(22, 16)[3]).toBe(0);
    const patch = stroke.finish()!;
    expect(patch.rect.w).toBeLessThanOrEqual(12);
  });

  it('spaces dabs along a stroke so the line is continuous and does not build up past the opacity', () => {
    const M = 64;
    const layer = createRaster(M, M);
    const stroke = new BrushStroke(layer, { mode: 'paint', colour: [255, 255, 255], brush: { ...DEFAULT_BRUSH, size: 6, hardness: 1, opacity: 0.5, spacing: 0.1 } });
    stroke.begin(5, 30.5, 1);
    stroke.lineTo(30, 30.5, 1);
    stroke.lineTo(58, 30.5, 1);
    for (let x = 5; x < 58; x++) expect(layer.data[(30 * M + x) * 4 + 3]).toBe(128);
    expect(layer.data[(30 * M + 62) * 4 + 3]).toBe(0);
  });

  it('erases alpha on the paint layer', () => {
    const M = 16;
    const layer = createRaster(M, M);
    layer.data.fill(255);
    const stroke = new BrushStroke(layer, { mode: 'erase', colour: [0, 0, 0], brush: { ...DEFAULT_BRUSH, size: 4, hardness: 1, opacity: 1 } });
    stroke.begin(8, 8, 1);
    expect(layer.data[(8 * M + 8) * 4 + 3]).toBe(0);
    expect(layer.data[(8 * M + 8) * 4]).toBe(255);
    expect(layer.data[(0 * M + 0) * 4 + 3]).toBe(255);
  });
});

describe('floodFill', () => {
  it('fills the connected region within the tolerance only', () => {
    const M = 8;
    const ref = createRaster(M, M);
    for (let y = 0; y < M; y++) for (let x = 0; x < M; x++) ref.data.set(x === 4 ? [0, 0, 0, 255] : [100 + (x < 4 ? 3 : 0), 100, 100, 255], (y * M + x) * 4);
    const target = createRaster(M, M);
    const patch = floodFill(target, ref, 0, 0, [255, 0, 0], 1, 5)!;
    expect(patch.rect).toEqual({ x: 0, y: 0, w: 4, h: 8 });
    expect(target.data[(2 * M + 3) * 4 + 3]).toBe(255);
    expect(target.data[(2 * M + 4) * 4 + 3]).toBe(0);
    expect(target.data[(2 * M + 6) * 4 + 3]).toBe(0);
    const t2 = createRaster(M, M);
    floodFill(t2, ref, 0, 0, [255, 0, 0], 1, 2);
    expect(t2.data[(0 * M + 1) * 4 + 3]).toBe(255);
  });
});

describe('stickers', () => {
  /** A 9×7 sticker, transparent except a white centre pixel and a red top-left pixel. */
  function marker(): RasterImage {
    const img = createRaster(9, 7);
    img.data.set([255, 255, 255, 255], (3 * 9 + 4) * 4);
    img.data.set([255, 0, 0, 255], 0);
    return img;
  }
  const brightest = (img: RasterImage, channel: (p: number[]) => number) => {
    let best = -1, at = { x: -1, y: -1 };
    for (let y = 0; y < img.height; y++) for (let x = 0; x < img.width; x++) {
      const o = (y * img.width + x) * 4;
      const v = channel([...img.data.subarray(o, o + 4)]);
      if (v > best) { best = v; at = { x, y }; }
    }
    return at;
  };

  it('places its centre at the texel under (u, v), whatever the rotation, flip and scale', () => {
    const M = 64;
    for (const rotation of [0, 0.7, Math.PI / 2, 2.5]) {
      for (const flipX of [false, true]) {
        const t = { u: 20.5 / M, v: 41.5 / M, size: 9 / M, rotation, flipX, flipY: !flipX };
        const r = rasteriseSticker(marker(), t, M);
        expect(brightest(r, (p) => Math.min(p[0], p[1], p[2]) * p[3])).toEqual({ x: 20, y: 41 });
      }
    }
  });

  it('puts the top-left pixel where the transform says (flip and rotation directions)', () => {
    const M = 64;
    const src = marker();
    const red = (p: number[]) => (p[0] - p[1]) * p[3];
    // Scale 1 texel per pixel, centre at texel (32, 32) → top-left pixel centre at (32 - 4, 32 - 3).
    const t = { u: 32.5 / M, v: 32.5 / M, size: 9 / M, rotation: 0, flipX: false, flipY: false };
    expect(brightest(rasteriseSticker(src, t, M), red)).toEqual({ x: 28, y: 29 });
    expect(brightest(rasteriseSticker(src, { ...t, flipX: true }, M), red)).toEqual({ x: 36, y: 29 });
    // 90° clockwise (from +u towards +v): the top-left corner goes to the top-right.
    expect(brightest(rasteriseSticker(src, { ...t, rotation: Math.PI / 2 }, M), red)).toEqual({ x: 35, y: 28 });
    const corners = stickerCornersUv(t, 9, 7, M);
    expect(corners[0].u * M).toBeCloseTo(28, 6);
    expect(corners[2].v * M).toBeCloseTo(36, 6);
  });

  it('stays non-destructive: moving it redraws from the source', () => {
    const M = 32;
    const doc = createDocument(M);
    const base = randomRaster(M, 9, 255);
    const src = createRaster(4, 4);
    src.data.fill(255);
    const op = addLayer(doc, stickerLayer({ u: 0.25, v: 0.25, size: 4 / M, rotation: 0, flipX: false, flipY: false }), src);
    const id = op.kind === 'addLayer' ? op.layer.id : '';
    const a = compositeTexture(base, doc.layers, doc.images);
    expect(a.coverage[8 * M + 8]).toBe(255);
    updateLayer(doc, id, { transform: { u: 0.75, v: 0.75, size: 4 / M, rotation: 0, flipX: false, flipY: false } });
    const b = compositeTexture(base, doc.layers, doc.images);
    expect(b.coverage[8 * M + 8]).toBe(0);
    const o = (8 * M + 8) * 4;
    expect([...b.rgba.subarray(o, o + 3)]).toEqual([...base.data.subarray(o, o + 3)]);
    expect(b.coverage[24 * M + 24]).toBe(255);
    expect(doc.images[id]).toBe(src);
  });
});

describe('TextureHistory', () => {
  it('undoes every kind of op back to the exact bytes, and redoes them', () => {
    const M = 32;
    const doc = createDocument(M);
    const history = new TextureHistory();
    const paintOp = addLayer(doc, paintLayer('p'));
    history.record(paintOp);
    const paintId = doc.layers[0].id;
    const start = cloneRaster(doc.images[paintId]);
    const stroke = new BrushStroke(doc.images[paintId], { mode: 'paint', colour: [250, 10, 10], brush: { ...DEFAULT_BRUSH, size: 7 } });
    stroke.begin(3, 3, 0.7);
    stroke.lineTo(25, 20, 0.9);
    history.record({ kind: 'raster', layerId: paintId, patch: stroke.finish()! });
    const afterStroke = cloneRaster(doc.images[paintId]);
    history.record({ kind: 'raster', layerId: paintId, patch: floodFill(doc.images[paintId], cloneRaster(doc.images[paintId]), 30, 1, [0, 0, 255], 0.5, 0)! });
    const afterFill = cloneRaster(doc.images[paintId]);
    history.record(addLayer(doc, fillLayer([1, 2, 3])));
    history.record(moveLayer(doc, 1, 0));
    history.record(updateLayer(doc, paintId, { opacity: 0.25, blend: 'multiply', name: 'renamed' }));
    const snapshot = JSON.stringify(doc.layers);
    history.record(removeLayer(doc, paintId));
    expect(doc.layers).toHaveLength(1);

    history.undo(doc);
    expect(JSON.stringify(doc.layers)).toBe(snapshot);
    history.undo(doc);
    history.undo(doc);
    history.undo(doc);
    expect(doc.layers.map((l) => l.name)).toEqual(['p']);
    expect(doc.layers[0].opacity).toBe(1);
    expect(doc.images[paintId].data).toEqual(afterFill.data);
    history.undo(doc);
    expect(doc.images[paintId].data).toEqual(afterStroke.data);
    history.undo(doc);
    expect(doc.images[paintId].data).toEqual(start.data);
    history.undo(doc);
    expect(doc.layers).toHaveLength(0);
    expect(history.canUndo).toBe(false);

    for (let i = 0; i < 7; i++) history.redo(doc);
    expect(doc.layers).toHaveLength(1);
    for (let i = 0; i < 1; i++) history.undo(doc);
    expect(JSON.stringify(doc.layers)).toBe(snapshot);
    expect(doc.images[paintId].data).toEqual(afterFill.data);
  });

  it('keeps memory bounded by dropping the oldest raster patches', () => {
    const M = 64;
    const doc = createDocument(M);
    addLayer(doc, paintLayer());
    const id = doc.layers[0].id;
    const history = new TextureHistory(40_000, 1000);
    for (let i = 0; i < 20; i++) {
      const s = new BrushStroke(doc.images[id], { mode: 'paint', colour: [i, 0, 0], brush: { ...DEFAULT_BRUSH, size: 30, pressureSize: false } });
      s.begin(32, 32, 1);
      history.record({ kind: 'raster', layerId: id, patch: s.finish()! });
    }
    expect(history.size).toBeLessThanOrEqual(40_000);
    expect(history.depth.undo).toBeGreaterThan(0);
    expect(history.depth.undo).toBeLessThan(20);
  });
});
