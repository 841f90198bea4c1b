import { describe, expect, it } from 'vitest';
import { initFromUvLayout } from '@engine/avatar/binding/init';
import { createOpenHead } from '@engine/avatar/open-head/build';
import { addLayer, BrushStroke, compositeRegion, compositeTexture, createDocument, createRaster, DEFAULT_BRUSH, paintLayer } from '@shared/texture';
import { LiveColours } from './liveColours';
import { StrokeLatency } from './strokeLatency';

describe('LiveColours', () => {
  it('a stroke re-sampled segment by segment (dirty rectangles) equals a full re-sample; the first call is always full', () => {
    const head = createOpenHead();
    const data = initFromUvLayout({ vertices: head.evaluate({}), triangles: head.triangles }, head.uv!, { resolution: 48 }).data;
    const M = 64;
    const base = createRaster(M, M);
    base.data.fill(128);
    const doc = createDocument(M);
    const layer = paintLayer();
    addLayer(doc, layer);
    const composite = compositeTexture(base, doc.layers, doc.images);
    const live = new LiveColours(data, head.uv!, M);
    const stroke = new BrushStroke(doc.images[layer.id], { mode: 'paint', colour: [250, 10, 10], brush: { ...DEFAULT_BRUSH, size: 6 } });
    // Not primed yet: a rectangle is ignored and everything is re-sampled.
    const first = stroke.begin(10, 40, 1)!;
    compositeRegion(composite, base, doc.layers, doc.images, first);
    expect(live.apply(composite, first).resampled).toBe(data.count);
    let partial = 0;
    for (let k = 1; k <= 12; k++) {
      const rect = stroke.lineTo(10 + 3 * k, 40 - k, 1);
      if (!rect) continue;
      compositeRegion(composite, base, doc.layers, doc.images, rect);
      partial = Math.max(partial, live.apply(composite, rect).resampled);
    }
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(data.count / 4);
    const incremental = live.apply(composite, { x: 0, y: 0, w: 0, h: 0 }).sh.slice();
    const full = new LiveColours(data, head.uv!, M).apply(composite).sh;
    expect(Buffer.from(incremental.buffer).equals(Buffer.from(full.buffer))).toBe(true);
    expect(() => live.apply({ ...composite, width: 32, height: 32 })).toThrow(/32×32 but the avatar's maps are 64²/);
  });
});

describe('StrokeLatency', () => {
  it('counts from the earliest unshown edit to the end of the first frame that started after it', () => {
    const l = new StrokeLatency();
    expect(l.rendered(100, 10)).toBeNull(); // no edit
    l.edited(200);
    l.edited(230); // still waiting for the first
    expect(l.rendered(240, 60)).toBeNull(); // started at 180: before the edit, old colours
    expect(l.rendered(300, 50)).toBe(100); // started at 250
    expect(l.rendered(400, 50)).toBeNull(); // shown already
  });
});
