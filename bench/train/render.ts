/**
 * Renders the newest avatar of a library kept by `npm run bench:train -- … --keep DIR` on some of its capture's test
 * frames: one row per frame, ground truth | render | error (×4), at the training size, into a PNG, and prints one JSON
 * object with the per-frame PSNR / SSIM (over the head crop) of those renders.
 *
 * Usage: node --import tsx bench/train/render.ts LIBRARY_DIR OUT.png [frames=4] [AVATAR_ID]
 * AVATAR_ID: another avatar of the library than the newest (e.g. the base run of a bench with --ablate).
 * --frame-subject=true|false and --long-side=PX load the frames another way than the avatar trained on them, so two
 * avatars can be compared on the same frames at the same size (e.g. one trained on whole frames, rendered on the head
 * crops another trained on). The sheet shows the first 8 frames; the JSON has every frame and the means.
 * The render uses avatar.bin on the fitted head of each frame (learnt per-frame head tuning, if the run had any, is not
 * stored there and so not applied); the training report's own images are in the avatar folder for runs that wrote them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createNodeDevice } from '../../native/engine/gpu/node-device';
import { parseAvatarBin } from '../../native/engine/avatar/binding/avatar-file';
import { BoundGaussians } from '../../native/engine/avatar/binding';
import { AvatarTrainer } from '../../native/engine/avatar/trainer';
import { StudioHost } from '../../src/main/host/studio-host';
import { openHeadFor, type StoredExpressionSpace } from '@engine/avatar/open-head/stored-space';
import { trackingDir } from '../../src/main/services/tracking/tracking-paths';
import { loadFrames, readCapture } from '../../src/main/services/training/frame-loading';
import { renderAndCompare } from '../../native/engine/avatar/trainer/frame-compare';
import { encodePng, errorHeatmap, rgbFloatToRgba8, sideBySide } from '../../src/main/services/training/report-images';

const flags = Object.fromEntries(process.argv.slice(2).filter((a) => a.startsWith('--')).map((a) => a.slice(2).split('=') as [string, string]));
const [libArg, outArg, countArg, avatarArg] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
if (!libArg || !outArg) throw new Error('usage: node --import tsx bench/train/render.ts LIBRARY_DIR OUT.png [frames=4] [AVATAR_ID]');
const libraryDir = path.resolve(libArg);
const count = Number(countArg ?? 4);

const host = StudioHost.open({ libraryDir, frontDoor: 'cli' });
// the newest avatar of the library (one project a clip), or the one named
const avatars = host.services.projects.list({ trashed: false }).flatMap((p) => host.services.avatars.list(p.id)).sort((a, b) => b.createdAt - a.createdAt);
const avatar = avatarArg ? avatars.find((a) => a.id === avatarArg) : avatars[0];
const project = avatar ? host.services.projects.list({ trashed: false }).find((p) => p.id === avatar.projectId) : undefined;
if (!project || !avatar) throw new Error(`${libraryDir}: no trained avatar`);
const projectDir = host.services.projects.folderOf(project.id);
await host.close();

const folder = path.join(projectDir, 'avatars', avatar.id);
const meta = JSON.parse(fs.readFileSync(path.join(folder, 'meta.json'), 'utf8')) as { captureId: string; imageLongSide?: number; config?: { imageLongSide: number; frameSubject?: boolean } };
const imageLongSide = Number(flags['long-side'] ?? meta.config?.imageLongSide ?? meta.imageLongSide ?? 128);
const tracking = path.join(projectDir, trackingDir(meta.captureId));
const model = openHeadFor(JSON.parse(fs.readFileSync(path.join(tracking, 'expression-space.json'), 'utf8')) as StoredExpressionSpace);
const loaded = loadFrames(model, readCapture(libraryDir, meta.captureId), { projectDir, trackingDir: tracking, imageLongSide, frameSubject: flags['frame-subject'] ? flags['frame-subject'] === 'true' : (meta.config?.frameSubject ?? false), holdOutCamera: null, throwIfCancelled: () => {} });
const pool = loaded.test.length ? loaded.test : loaded.train;
const picked = Array.from({ length: Math.min(count, pool.length) }, (_, i) => pool[Math.floor(((i + 0.5) * pool.length) / Math.min(count, pool.length))]!);

const engine = await createNodeDevice({ label: 'bench-train-render' });
const data = parseAvatarBin(new Uint8Array(fs.readFileSync(path.join(folder, 'avatar.bin'))));
const bound = BoundGaussians.fromData(engine.device, data);
const trainer = new AvatarTrainer(model, bound, picked.map((p) => p.frame), { shDegree: data.shDegree, densify: null, prune: null, monitor: null });
try {
  const { w, h } = loaded.size!;
  const rows: Uint8Array[] = [];
  const frames: { idx: number; split: string; psnr: number; ssim: number }[] = [];
  for (let i = 0; i < picked.length; i++) {
    const c = await renderAndCompare(trainer, i, [0, 0, 0]);
    const row = sideBySide([rgbFloatToRgba8(c.target, w, h), rgbFloatToRgba8(c.render, w, h), errorHeatmap(c.render, c.target, w, h)], w, h);
    if (rows.length < 8) rows.push(row.data);
    // over the head crop, as the report's headline
    frames.push({ idx: picked[i]!.idx, split: loaded.test.length ? 'test' : 'train', psnr: Number((c.crop?.psnr ?? c.psnr).toFixed(2)), ssim: Number((c.crop?.ssim ?? c.ssim).toFixed(4)) });
  }
  const rowW = rows.length ? rows[0]!.length / 4 / h : 0;
  const sheet = new Uint8Array(rows.reduce((s, r) => s + r.length, 0));
  rows.forEach((r, i) => sheet.set(r, i * r.length));
  fs.mkdirSync(path.dirname(path.resolve(outArg)), { recursive: true });
  fs.writeFileSync(path.resolve(outArg), encodePng(sheet, rowW, h * rows.length));
  const mean = (k: 'psnr' | 'ssim') => Number((frames.reduce((a, f) => a + f[k], 0) / Math.max(1, frames.length)).toFixed(4));
  console.log(JSON.stringify({ avatar: avatar.id, size: `${w}x${h}`, gaussians: data.count, mean: { frames: frames.length, psnr: mean('psnr'), ssim: mean('ssim') }, frames, out: path.resolve(outArg) }));
} finally {
  trainer.destroy();
  bound.destroy();
  engine.destroy();
}
