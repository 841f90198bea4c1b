/**
 * Stroke → render latency of the texture editor's 3D view (src/renderer/src/features/texture/view3d/), in Node on
 * Dawn (SwiftShader on this machine), with the view's own modules: one brush segment on a paint layer (BrushStroke) →
 * recomposite its dirty rectangle (compositeRegion) → the edited avatar Apply would write (EditPreview: SH DC
 * re-sampled, texel-sized Gaussians along the edit's edges where the avatar's are too large; `fullResampleMs` = the
 * same for the whole stroke at the end) → upload the colours, or the Gaussians when some were added → deform →
 * render → pack to RGBA8 + readback (the viewport's `AvatarRenderer`, what AvatarEngine does before putImageData).
 * Medians in ms.
 * Usage: node bench/run.mjs texture-3d -- [--uv 256] [--map 512] [--size 360] [--reps 10]. Last stdout line: JSON.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { initFromUvLayout } from '../../native/engine/avatar/binding/init';
import { createOpenHead } from '../../native/engine/avatar/open-head/build';
import { createNodeDevice } from '../../native/engine/gpu/node-device';
import { lookAt, makeCamera } from '../../native/engine/reference/camera';
import { addLayer, BrushStroke, compositeRegion, compositeTexture, createDocument, createRaster, DEFAULT_BRUSH, paintLayer } from '../../src/shared/texture';
import { EditPreview } from '../../src/renderer/src/features/texture/view3d/editPreview';
import { adapterFields } from '../lib/adapter';
import { AvatarRenderer } from '../../native/engine/avatar/render/avatar-renderer';

const { values: o } = parseArgs({ options: { uv: { type: 'string', default: '256' }, map: { type: 'string', default: '512' }, size: { type: 'string', default: '360' }, reps: { type: 'string', default: '10' } } });
const UV = Number(o.uv), M = Number(o.map), SIZE = Number(o.size), REPS = Number(o.reps);
const log = (s: string) => process.stderr.write(`${s}\n`);
const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

const head = createOpenHead();
const vertices = head.evaluate({});
const data = initFromUvLayout({ vertices, triangles: head.triangles }, head.uv!, { resolution: UV, opacity: 0.9 }).data;
log(`[texture-3d] ${data.count} Gaussians, ${M}² map, ${SIZE}² render`);
const engine = await createNodeDevice({ label: 'bench-texture-3d' });
const renderer = new AvatarRenderer(engine, data, head.triangles, head.vertexCount, 'bench');
const cam = makeCamera(SIZE, SIZE, 0.6, lookAt([0.25, 0, 0.55], [0, -0.02, 0]));
const camera = { ...cam, viewMatrix: Float32Array.from(cam.viewMatrix) };

const base = createRaster(M, M);
base.data.fill(128);
const doc = createDocument(M);
const layer = paintLayer();
addLayer(doc, layer);
const composite = compositeTexture(base, doc.layers, doc.images);
const live = new EditPreview(data, head.uv!, { vertices, triangles: head.triangles });
const stroke = new BrushStroke(doc.images[layer.id], { mode: 'paint', colour: [200, 30, 40], brush: { ...DEFAULT_BRUSH, size: 12 } });
stroke.begin(0.2 * M, 0.3 * M, 1);

live.apply(composite, base);
const phases: Record<'stroke' | 'composite' | 'resample' | 'render' | 'total', number[]> = { stroke: [], composite: [], resample: [], render: [], total: [] };
for (let i = 0; i < REPS + 2; i++) {
  const t0 = performance.now();
  const rect = stroke.lineTo((0.2 + 0.01 * (i + 1)) * M, 0.3 * M, 1);
  const t1 = performance.now();
  if (rect) compositeRegion(composite, base, doc.layers, doc.images, rect);
  const t2 = performance.now();
  const { avatar } = live.apply(composite, base);
  const t3 = performance.now();
  if (avatar.count !== renderer.gaussians) renderer.setGaussians(avatar);
  else renderer.setColours(avatar.sh);
  await renderer.render(vertices, camera, [0.11, 0.115, 0.125]);
  await renderer.readRgba8();
  const t4 = performance.now();
  if (i < 2) continue; // pipeline compilation
  phases.stroke.push(t1 - t0);
  phases.composite.push(t2 - t1);
  phases.resample.push(t3 - t2);
  phases.render.push(t4 - t3);
  phases.total.push(t4 - t0);
}
const full: number[] = [];
for (let i = 0; i < REPS; i++) {
  const t = performance.now();
  live.apply(composite, base);
  full.push(performance.now() - t);
}
const ms = Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, Number(median(v).toFixed(2))]));
const fullResampleMs = Number(median(full).toFixed(2));
log(`[texture-3d] stroke→render median ${ms.total} ms (stroke ${ms.stroke}, composite ${ms.composite}, edited avatar ${ms.resample} (the whole stroke: ${fullResampleMs}), upload+deform+render+readback ${ms.render})`);
renderer.destroy();
engine.destroy();
console.log(JSON.stringify({ bench: 'texture-3d', ...adapterFields(engine), gaussians: data.count, gaussiansAfterStroke: renderer.gaussians, mapSize: M, renderSize: SIZE, reps: REPS, loadavg: loadavg()[0], ms, fullResampleMs }));
