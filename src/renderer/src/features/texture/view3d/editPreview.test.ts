import { describe, expect, it } from 'vitest';
import { initFromUvLayout } from '@engine/avatar/binding/init';
import { resampleAvatar } from '@engine/avatar/bake/resample';
import { createOpenHead } from '@engine/avatar/open-head/build';
import { addLayer, BrushStroke, compositeTexture, createDocument, createRaster, DEFAULT_BRUSH, paintLayer } from '@shared/texture';
import { EditPreview } from './editPreview';
import { StrokeLatency } from './strokeLatency';

describe('EditPreview', () => {
  it('is the avatar the apply job computes, bit for bit, stroke after stroke; refuses maps of another size', () => {
    const head = createOpenHead();
    const mesh = { vertices: head.evaluate({}), triangles: head.triangles };
    const data = initFromUvLayout(mesh, head.uv!, { resolution: 16, opacity: 0.8 }).data; // few, large Gaussians
    const M = 64;
    const base = createRaster(M, M);
    for (let p = 0; p < M * M; p++) base.data.set([120 + (p % 7), 100, 90, 255], p * 4);
    const doc = createDocument(M);
    const layer = paintLayer();
    addLayer(doc, layer);
    const preview = new EditPreview(data, head.uv!, mesh);
    const stroke = new BrushStroke(doc.images[layer.id], { mode: 'paint', colour: [250, 10, 10], brush: { ...DEFAULT_BRUSH, size: 5 } });
    stroke.begin(10, 40, 1);
    for (let k = 1; k <= 8; k++) {
      stroke.lineTo(10 + 3 * k, 40 - k, 1);
      const composite = compositeTexture(base, doc.layers, doc.images);
      const shown = preview.apply(composite, base).avatar;
      const job = resampleAvatar({ avatar: data, uv: head.uv!, mesh, edit: { size: M, rgba: composite.rgba, coverage: composite.coverage }, base: base.data }).avatar;
      expect(shown.count).toBe(job.count);
      expect(shown.count).toBeGreaterThan(data.count); // a thin stroke over large Gaussians gets texel-sized ones
      for (const k2 of ['triangle', 'barycentric', 'offset', 'rotations', 'logScales', 'opacities', 'sh'] as const) expect(Buffer.from(shown[k2].buffer).equals(Buffer.from(job[k2].buffer)), k2).toBe(true);
    }
    const small = createRaster(32, 32);
    expect(() => preview.apply(compositeTexture(small, [], {}), base)).toThrow(/32×32 over a 64×64 base/);
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
