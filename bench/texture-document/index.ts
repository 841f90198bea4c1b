/**
 * CPU costs of the texture document (src/shared/texture/) that the editor pays: a full composite (undo of a layer
 * property, load), a brush segment + the recomposite of its dirty rectangle (every pointer move), a sticker drag step
 * (rasterise + recomposite its bounds), and encoding / decoding one M×M layer PNG (autosave, load). Medians in ms.
 * Usage: node bench/run.mjs texture-document -- [--map 1024] [--reps 7]. Last stdout line: JSON.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import {
  addLayer,
  BrushStroke,
  compositeRegion,
  compositeTexture,
  createDocument,
  createRaster,
  decodePng,
  DEFAULT_BRUSH,
  encodePng,
  fillLayer,
  paintLayer,
  rectUnion,
  StickerRasterCache,
  stickerBounds,
  stickerFrame,
  stickerLayer,
  type StickerLayer,
} from '../../src/shared/texture';

const { values: o } = parseArgs({ options: { map: { type: 'string', default: '1024' }, reps: { type: 'string', default: '7' } } });
const M = Number(o.map);
const REPS = Number(o.reps);
const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const time = (f: () => void) => {
  const out: number[] = [];
  for (let i = 0; i < REPS; i++) {
    const t = performance.now();
    f();
    out.push(performance.now() - t);
  }
  return median(out);
};

const base = createRaster(M, M);
for (let i = 0; i < base.data.length; i++) base.data[i] = (i * 2654435761) >>> 24;
const doc = createDocument(M);
addLayer(doc, paintLayer());
const paintId = doc.layers[0].id;
for (let i = 0; i < doc.images[paintId].data.length; i += 4) doc.images[paintId].data.set([200, 10, 10, i % 7 === 0 ? 255 : 0], i);
const source = createRaster(512, 512);
source.data.fill(220);
addLayer(doc, stickerLayer({ u: 0.5, v: 0.5, size: 0.3, rotation: 0.3, flipX: false, flipY: false }), source);
addLayer(doc, { ...fillLayer([30, 60, 90]), blend: 'multiply', opacity: 0.3 });
const cache = new StickerRasterCache();
const composite = compositeTexture(base, doc.layers, doc.images, cache);

const fullMs = time(() => compositeTexture(base, doc.layers, doc.images, cache));

let x = 0.1 * M;
const stroke = new BrushStroke(doc.images[paintId], { mode: 'paint', colour: [0, 200, 0], brush: { ...DEFAULT_BRUSH, size: 24 } });
stroke.begin(x, 0.4 * M, 1);
const strokeMs = time(() => {
  x += 6;
  const r = stroke.lineTo(x, 0.4 * M, 1);
  if (r) compositeRegion(composite, base, doc.layers, doc.images, r, cache);
});

const sticker = doc.layers[1] as StickerLayer;
let u = 0.5;
const dragMs = time(() => {
  const before = stickerBounds(stickerFrame(sticker.transform, 512, 512, M), 512, 512, M);
  u += 0.002;
  sticker.transform = { ...sticker.transform, u };
  const after = stickerBounds(stickerFrame(sticker.transform, 512, 512, M), 512, 512, M);
  compositeRegion(composite, base, doc.layers, doc.images, rectUnion(before, after)!, cache);
});

let png: Uint8Array = new Uint8Array();
const encodeMs = time(() => (png = encodePng(doc.images[paintId], 3)));
const decodeMs = time(() => decodePng(png));

const result = { bench: 'texture-document', mapSize: M, layers: doc.layers.length, reps: REPS, load: loadavg()[0], fullCompositeMs: fullMs, strokeSegmentMs: strokeMs, stickerDragStepMs: dragMs, layerPngEncodeMs: encodeMs, layerPngDecodeMs: decodeMs, layerPngBytes: png.length };
console.log(JSON.stringify(result));
