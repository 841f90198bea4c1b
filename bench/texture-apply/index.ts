/**
 * "Apply is what you saw" on a real avatar (issue 21): the edit an artist makes — a cyan stroke around both eyes
 * (soft brush) and a sticker on the tip of the nose — as the texture editor's 3D view previews it (`EditPreview`,
 * src/renderer/src/features/texture/view3d/, or with `--preview colours` the colour-only re-sampling the view used
 * before) and as *Apply to avatar* bakes it into the new version (`applyTexture`, the `texture.apply` job's
 * computation, on the job's mesh), rendered from five views (front, ±35° yaw, from above and below) with the studio's
 * engine on Node Dawn and compared: PSNR between preview and applied over the head, and the distance between the
 * edit's centroids (`compareEdit`, native/engine/avatar/bake/edit-comparison.ts). Also times the preview: building
 * it for the avatar (once per editor) and one edit (every stroke segment), medians of 5.
 *
 * Usage: node bench/run.mjs texture-apply -- --library DIR --avatar ID [--size 384] [--out DIR]
 * (a baked avatar; work on a COPY of a library: opening it may migrate it). Without --library a synthetic avatar is
 * used (the open head's UV layout at 64², a procedural texture). --out writes one PNG per view: unedited | preview
 * | applied | 4× |preview − applied|. Last stdout line: JSON.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseAvatarBin } from '../../native/engine/avatar/binding/avatar-file';
import type { BoundGaussianData } from '../../native/engine/avatar/binding/bound-gaussians';
import { compareEdit } from '../../native/engine/avatar/bake/edit-comparison';
import { readBakedMaps, type BakedMaps } from '../../native/engine/avatar/bake/baked-maps-file';
import { attributesFromBound } from '../../native/engine/avatar/bake/attributes';
import { colourImage } from '../../native/engine/avatar/bake/baked-map-images';
import { CHANNELS, gaussianUvs, pushPull, splatAttributes } from '../../native/engine/avatar/bake/uv-maps';
import { LEFT_EYE_RING, RIGHT_EYE_RING } from '../../native/engine/avatar/open-head/build';
import { createOpenHead } from '../../native/engine/avatar/open-head/build';
import type { StoredExpressionSpace } from '../../native/engine/avatar/open-head/stored-space';
import type { HeadModel } from '../../native/engine/avatar/head-model';
import { proceduralTexture, uvAvatar } from '../../native/engine/avatar/trainer/test-fixtures';
import { createNodeDevice } from '../../native/engine/gpu/node-device';
import { lookAt, makeCamera } from '../../native/engine/reference/camera';
import { StudioHost } from '../../src/main/host/studio-host';
import { bakeFilePaths } from '../../src/main/services/bake/bake-paths';
import { applyTexture } from '../../src/main/services/texture/apply-texture';
import { avatarWithFiles } from '../../src/main/services/training/avatar-files';
import { EditPreview } from '../../src/renderer/src/features/texture/view3d/editPreview';
import { ColourResampler } from '../../native/engine/avatar/bake/resample';
import { HeadRig, type FitFile } from '../../native/engine/avatar/head-rig';
import { readHeadTuningExport } from '../../native/engine/avatar/trainer/head-tuning';
import { addLayer, BrushStroke, compositeTexture, createDocument, createRaster, decodePng, DEFAULT_BRUSH, paintLayer, stickerLayer, type RasterImage } from '../../src/shared/texture';
import { adapterFields } from '../lib/adapter';
import { encodePngRgb, hconcat } from '../lib/png';

const { values: o } = parseArgs({ options: { library: { type: 'string' }, avatar: { type: 'string' }, size: { type: 'string', default: '384' }, out: { type: 'string' }, preview: { type: 'string', default: 'edit' } } });
const SIZE = Number(o.size);
const log = (s: string) => process.stderr.write(`${s}\n`);

interface Subject {
  label: string;
  baked: BoundGaussianData;
  maps: BakedMaps;
  base: RasterImage;
  model: HeadModel;
  /** The neutral head the editor paints on and the job applies on (rig.vertices(rig.neutral(), false)). */
  mesh: Float32Array;
}

function librarySubject(dir: string, avatarId: string): Subject {
  const host = StudioHost.open({ libraryDir: path.resolve(dir), frontDoor: 'cli' });
  try {
    const info = avatarWithFiles(host.services, avatarId);
    const root = host.services.projects.folderOf(info.avatar.projectId);
    const read = (rel: string) => new Uint8Array(fs.readFileSync(path.join(root, ...rel.split('/'))));
    const b = bakeFilePaths(avatarId);
    if (!info.files.bake) throw new Error(`avatar ${avatarId} has no bake: run \`avatar-studio bake ${avatarId}\` first`);
    const space = JSON.parse(new TextDecoder().decode(read(info.files.expressionSpace!))) as StoredExpressionSpace;
    const fit = info.files.fits[0]?.path;
    const rig = new HeadRig(space, fit ? (JSON.parse(new TextDecoder().decode(read(fit))) as FitFile) : null, info.files.headTuning ? readHeadTuningExport(read(info.files.headTuning)).correctives : null);
    return { label: `${info.avatar.name} v${info.avatar.version}`, baked: parseAvatarBin(read(b.bakedAvatar)), maps: readBakedMaps(read(b.maps)), base: decodePng(read(b.colour)), model: rig.model, mesh: rig.vertices(rig.neutral(), false) };
  } finally {
    host.close();
  }
}

function syntheticSubject(): Subject {
  const M = 64;
  const model = createOpenHead();
  const baked = uvAvatar(model, 48, { texture: proceduralTexture(64), opacity: 0.9 });
  const { sum, weight } = splatAttributes(attributesFromBound(baked), gaussianUvs(model.uv!, baked.triangle, baked.barycentric, baked.count), M);
  const maps = pushPull(sum, weight, M, CHANNELS);
  return { label: 'synthetic open head', baked, maps: { mapSize: M, levels: 1, steps: 0, maps, visibility: new Uint8Array(M * M).fill(2) }, base: { width: M, height: M, data: colourImage(maps, M) }, model, mesh: model.evaluate({}) };
}

/** UV of mesh vertex `v` (the first triangle corner that uses it). */
function vertexUv(model: HeadModel, v: number): [number, number] {
  const tri = model.triangles, uv = model.uv!;
  for (let k = 0; k < tri.length; k++) if (tri[k] === v) return [uv.coords[uv.triangles[k] * 2], uv.coords[uv.triangles[k] * 2 + 1]];
  throw new Error(`vertex ${v} is in no triangle`);
}

const s = o.library && o.avatar ? librarySubject(o.library, o.avatar) : syntheticSubject();
const M = s.maps.mapSize;
log(`[texture-apply] ${s.label}: ${s.baked.count} Gaussians, ${M}² maps`);

// The edit: a cyan stroke around each eye (brush 3 % of the map, soft), a sticker (a red disc with a white ring) on the nose tip.
const doc = createDocument(M);
const paint = paintLayer('Eyes');
addLayer(doc, paint, createRaster(M, M));
for (const ring of [RIGHT_EYE_RING, LEFT_EYE_RING]) {
  const stroke = new BrushStroke(doc.images[paint.id], { mode: 'paint', colour: [0, 220, 230], brush: { ...DEFAULT_BRUSH, size: Math.max(3, 0.03 * M), hardness: 0.5 } });
  ring.forEach((v, i) => {
    const [u, w] = vertexUv(s.model, v);
    if (i === 0) stroke.begin(u * M, w * M, 1);
    else stroke.lineTo(u * M, w * M, 1);
  });
  const [u, w] = vertexUv(s.model, ring[0]);
  stroke.lineTo(u * M, w * M, 1);
  stroke.finish();
}
const STICKER = 64;
const disc = createRaster(STICKER, STICKER);
for (let y = 0; y < STICKER; y++)
  for (let x = 0; x < STICKER; x++) {
    const r = Math.hypot(x + 0.5 - STICKER / 2, y + 0.5 - STICKER / 2) / (STICKER / 2);
    if (r > 1) continue;
    disc.data.set(r > 0.7 ? [255, 255, 255, 255] : [220, 20, 30, 255], (y * STICKER + x) * 4);
  }
const [nu, nv] = vertexUv(s.model, 1); // MediaPipe topology: vertex 1 is the tip of the nose
const sticker = stickerLayer({ u: nu, v: nv, size: 0.04, rotation: 0, flipX: false, flipY: false }, 'Nose sticker');
addLayer(doc, sticker, disc);
const composite = compositeTexture(s.base, doc.layers, doc.images);

const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const mesh = { vertices: s.mesh, triangles: s.model.triangles };
const buildMs: number[] = [], editMs: number[] = [];
let preview: BoundGaussianData = s.baked;
for (let r = 0; r < 5; r++) {
  const t = performance.now();
  if (o.preview === 'colours') {
    const resampler = new ColourResampler(s.baked, gaussianUvs(s.model.uv!, s.baked.triangle, s.baked.barycentric, s.baked.count), M);
    const t1 = performance.now();
    preview = { ...s.baked, sh: resampler.resample({ size: M, rgba: composite.rgba, coverage: composite.coverage }).sh };
    editMs.push(performance.now() - t1);
    buildMs.push(t1 - t);
    continue;
  }
  const view = new EditPreview(s.baked, s.model.uv!, mesh);
  view.apply(composite, s.base); // builds the resampler
  const t1 = performance.now();
  preview = view.apply(composite, s.base).avatar;
  editMs.push(performance.now() - t1);
  buildMs.push(t1 - t - editMs[editMs.length - 1]);
}
const t0 = performance.now();
const applied = applyTexture({ baked: s.baked, maps: s.maps, base: s.base, layers: doc.layers, images: doc.images, uv: s.model.uv!, mesh });
const applyMs = performance.now() - t0;
log(`[texture-apply] applied in ${applyMs.toFixed(0)} ms: ${JSON.stringify(applied.report)}`);

// The editor's home framing: the head's bounds, 0.9 m-ish orbit scaled to the head.
const verts = s.mesh;
let cx = 0, cy = 0, cz = 0, rad = 0;
const nvtx = verts.length / 3;
for (let i = 0; i < nvtx; i++) (cx += verts[i * 3] / nvtx), (cy += verts[i * 3 + 1] / nvtx), (cz += verts[i * 3 + 2] / nvtx);
for (let i = 0; i < nvtx; i++) rad = Math.max(rad, Math.hypot(verts[i * 3] - cx, verts[i * 3 + 1] - cy, verts[i * 3 + 2] - cz));
const target: [number, number, number] = [cx, cy, cz];
const fov = (30 * Math.PI) / 180;
const dist = (rad * 1.15) / Math.tan(fov / 2);
const viewAt = (yawDeg: number, pitchDeg: number) => {
  const a = (yawDeg * Math.PI) / 180, e = (pitchDeg * Math.PI) / 180;
  const eye: [number, number, number] = [cx + dist * Math.cos(e) * Math.sin(a), cy + dist * Math.sin(e), cz + dist * Math.cos(e) * Math.cos(a)];
  const c = makeCamera(SIZE, SIZE, fov, lookAt(eye, target));
  return { ...c, viewMatrix: Float32Array.from(c.viewMatrix) };
};
const VIEWS = [['front', 0, 0], ['left 35°', -35, 0], ['right 35°', 35, 0], ['above', 0, 25], ['below', 0, -20]] as const;
const engine = await createNodeDevice({ label: 'bench-texture-apply' });
const cmp = await compareEdit(engine.device, mesh, { unedited: s.baked, preview, applied: applied.avatar }, VIEWS.map(([, y, p]) => viewAt(y, p)));

if (o.out) {
  fs.mkdirSync(o.out, { recursive: true });
  cmp.frames.forEach((f, i) => {
    const diff = new Float32Array(SIZE * SIZE * 4);
    const p = f.preview, a = f.applied;
    for (let k = 0; k < diff.length; k++) diff[k] = k % 4 === 3 ? 1 : Math.min(1, 4 * Math.abs(p[k] - a[k]));
    const row = hconcat([f.unedited, f.preview, f.applied].map((x) => ({ data: x, stride: 4 })).concat([{ data: diff, stride: 4 }]), SIZE, SIZE);
    fs.writeFileSync(path.join(o.out!, `view-${i}-${VIEWS[i][0].replace(/\W+/g, '')}.png`), encodePngRgb(row, SIZE * 4, SIZE));
  });
}
// Identical renders have no finite PSNR: printed as the string "Infinity" (JSON has no such number).
const dB = (x: number) => (Number.isFinite(x) ? +x.toFixed(2) : String(x));
console.log(
  JSON.stringify({
    bench: 'texture-apply',
    avatar: s.label,
    gaussians: s.baked.count,
    mapSize: M,
    render: SIZE,
    preview: o.preview,
    applyMs: Math.round(applyMs),
    previewBuildMs: Math.round(median(buildMs)),
    previewEditMs: +median(editMs).toFixed(1),
    resample: applied.report,
    views: cmp.views.map((v, i) => ({ view: VIEWS[i][0], psnr: dB(v.psnr), centroidDistance: +v.centroidDistance.toFixed(2), editPixels: v.editPixels })),
    minPsnr: dB(cmp.minPsnr),
    medianPsnr: dB(median(cmp.views.map((v) => v.psnr))),
    maxCentroidDistance: +cmp.maxCentroidDistance.toFixed(2),
    ...adapterFields(engine),
  }),
);
engine.destroy();
