/**
 * "Apply is what you saw" (issue 21): an avatar trained for real on a synthetic capture (the open head at known
 * parameters over an ffmpeg test pattern), baked; then, through the editor's document store on the real services
 * host, a cyan stroke around both eyes and a sticker on the tip of the nose. The 3D view's edited avatar
 * (`EditPreview` on the head the view shows) and the avatar the `texture.apply` job writes as version 2 are rendered
 * from five views (front, ±35°, above, below): PSNR ≥ 35 dB between them and the edit's centroids within 2 px, with
 * the edit visible in every view.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAvatarBin } from '@engine/avatar/binding/avatar-file';
import { compareEdit } from '@engine/avatar/bake/edit-comparison';
import { HeadRig, type FitFile } from '@engine/avatar/head-rig';
import type { HeadModel } from '@engine/avatar/head-model';
import { LEFT_EYE_RING, RIGHT_EYE_RING } from '@engine/avatar/open-head/build';
import type { StoredExpressionSpace } from '@engine/avatar/open-head/stored-space';
import { readHeadTuningExport } from '@engine/avatar/trainer/head-tuning';
import { testDevice } from '@engine/gpu/test-device';
import { lookAt, makeCamera } from '@engine/reference/camera';
import { projectPoint } from '@engine/view/camera-math';
import type { AvatarWithFiles } from '@shared/model/avatar-files';
import type { Avatar } from '@shared/model/avatar';
import { createRaster, encodePng } from '@shared/texture';
import { JOB_TEST_TIMEOUT } from '../../../../../main/testing/job-wait';
import { useTestHost } from '../../../../../main/testing/test-host';
import { craftTrackedCapture } from '../../../../../main/services/training/test-capture';
import { useTextureDocument } from '../documentStore';
import { hostTexturePersistence } from '../hostPersistence';
import { EditPreview } from './editPreview';

const t = useTestHost('apply-preview-', 'Apply preview');
const gpu = await testDevice();
const SIZE = 128;

/** UV of mesh vertex `v` (the first triangle corner that uses it: the face chart for the face's vertices). */
function vertexUv(model: HeadModel, v: number): { u: number; v: number } {
  const tri = model.triangles, uv = model.uv!;
  for (let k = 0; k < tri.length; k++) if (tri[k] === v) return { u: uv.coords[uv.triangles[k] * 2], v: uv.coords[uv.triangles[k] * 2 + 1] };
  throw new Error(`vertex ${v} is in no triangle`);
}

describe.skipIf(!gpu.device)('Apply to avatar gives what the 3D view showed', () => {
  it('trained avatar, stroke around the eyes + nose sticker: applied v2 vs the preview, 5 views ≥ 35 dB, centroids ≤ 2 px', async () => {
    const root = () => t.host.services.projects.folderOf(t.projectId);
    const read = (rel: string) => new Uint8Array(fs.readFileSync(path.join(root(), ...rel.split('/'))));
    const media = fs.mkdtempSync(path.join(t.host.services.library.dir, 'media-'));
    const capture = await craftTrackedCapture(t.host, t.projectId, media, { frames: 10, test: [9] });
    const trained = await t.run('training.start', { captureId: capture.id, preset: 'preview', overrides: { steps: 40, uvResolution: 32 } });
    expect(trained.status, JSON.stringify(trained.error)).toBe('completed');
    const avatarId = (trained.result as { avatarId: string }).avatarId;
    const baked = await t.run('bake.start', { avatarId, mapSize: 256, steps: 3, levels: 2 });
    expect(baked.status, JSON.stringify(baked.error)).toBe('completed');

    // What the 3D view loads (loadAvatar with the bake): the baked avatar on the subject's rig.
    const info = (await t.call('avatars.get', { id: avatarId })) as AvatarWithFiles;
    const data = parseAvatarBin(read(info.files.bake!.bakedAvatar));
    const space = JSON.parse(new TextDecoder().decode(read(info.files.expressionSpace!))) as StoredExpressionSpace;
    const fit = info.files.fits[0] ? (JSON.parse(new TextDecoder().decode(read(info.files.fits[0].path))) as FitFile) : null;
    const rig = new HeadRig(space, fit, info.files.headTuning ? readHeadTuningExport(read(info.files.headTuning)).correctives : null);
    const mesh = { vertices: rig.vertices(rig.neutral(), false), triangles: rig.model.triangles };

    // The edit, through the editor's store: a soft cyan brush around each eye, a sticker (red disc, white ring) on the nose.
    const store = () => useTextureDocument.getState();
    const persistence = hostTexturePersistence({ call: t.call, projectDir: root });
    await store().load(avatarId, persistence);
    expect(store().status).toBe('ready');
    const M = store().mapSize;
    store().setTool('brush');
    store().setColour([0, 220, 230]);
    store().setBrush({ size: 0.03 * M, hardness: 0.5, opacity: 1, pressureSize: false });
    for (const ring of [RIGHT_EYE_RING, LEFT_EYE_RING]) {
      store().beginStroke(vertexUv(rig.model, ring[0]), 1);
      for (const v of [...ring.slice(1), ring[0]]) store().strokeTo(vertexUv(rig.model, v), 1);
      store().endStroke();
    }
    const S = 32, disc = createRaster(S, S);
    for (let y = 0; y < S; y++)
      for (let x = 0; x < S; x++) {
        const r = Math.hypot(x + 0.5 - S / 2, y + 0.5 - S / 2) / (S / 2);
        if (r <= 1) disc.data.set(r > 0.7 ? [255, 255, 255, 255] : [220, 20, 30, 255], (y * S + x) * 4);
      }
    const src = path.join(media, 'nose-sticker.png');
    fs.writeFileSync(src, encodePng(disc));
    const imported = await persistence.importFile(avatarId, { path: src }, 'sticker');
    store().addImportedLayer(imported.layer.layer, imported.image);
    const nose = vertexUv(rig.model, 1); // MediaPipe topology: vertex 1 is the tip of the nose
    store().updateLayer(imported.layer.layer.id, { transform: { u: nose.u, v: nose.v, size: 0.05, rotation: 0, flipX: false, flipY: false } });
    await store().flushSave();
    expect(store().save.state).toBe('saved');

    // What the 3D view shows for the store's composite.
    const preview = new EditPreview(data, rig.model.uv!, mesh).apply(store().composite!, store().base!);
    console.info(`[apply-preview] ${data.count} Gaussians, ${M}² maps: ${JSON.stringify(preview.report)}`);

    // Apply: the job writes version 2.
    const applied = await t.run('textures.apply', { avatarId });
    expect(applied.status, JSON.stringify(applied.error)).toBe('completed');
    const v2 = (applied.result as { avatar: Avatar }).avatar;
    const v2Info = (await t.call('avatars.get', { id: v2.id })) as AvatarWithFiles;
    const appliedData = parseAvatarBin(read(v2Info.files.avatar));
    expect(appliedData.count).toBe(preview.avatar.count);

    // Five views around the head, as the editor's orbit frames it.
    const v = mesh.vertices, n = v.length / 3;
    const c = [0, 1, 2].map((k) => Array.from({ length: n }, (_, i) => v[i * 3 + k]).reduce((a, b) => a + b, 0) / n) as [number, number, number];
    let radius = 0;
    for (let i = 0; i < n; i++) radius = Math.max(radius, Math.hypot(v[i * 3] - c[0], v[i * 3 + 1] - c[1], v[i * 3 + 2] - c[2]));
    const fov = (30 * Math.PI) / 180, dist = (radius * 1.15) / Math.tan(fov / 2);
    const views = ([[0, 0], [-35, 0], [35, 0], [0, 25], [0, -20]] as const).map(([yaw, pitch]) => {
      const a = (yaw * Math.PI) / 180, e = (pitch * Math.PI) / 180;
      const cam = makeCamera(SIZE, SIZE, fov, lookAt([c[0] + dist * Math.cos(e) * Math.sin(a), c[1] + dist * Math.sin(e), c[2] + dist * Math.cos(e) * Math.cos(a)], c));
      return { ...cam, viewMatrix: Float32Array.from(cam.viewMatrix) };
    });
    const cmp = await compareEdit(gpu.device!, mesh, { unedited: data, preview: preview.avatar, applied: appliedData }, views);
    console.info(`[apply-preview] per view: ${cmp.views.map((x) => `${x.psnr.toFixed(1)} dB, centroid Δ ${x.centroidDistance.toFixed(2)} px, ${x.editPixels.preview} px edited`).join('; ')}`);
    for (const view of cmp.views) {
      expect(view.editPixels.preview).toBeGreaterThan(10); // the edit shows in every view
      expect(view.psnr).toBeGreaterThanOrEqual(35);
      expect(view.centroidDistance).toBeLessThanOrEqual(2);
    }
    // And it is the edit that was painted: the sticker's red at the nose tip in the front view, where it was grey-ish before.
    const tip = [0, 1, 2].map((k) => mesh.vertices[1 * 3 + k]) as [number, number, number];
    const [px, py] = projectPoint(views[0], tip)!;
    const at = (Math.floor(py) * SIZE + Math.floor(px)) * 4;
    const front = cmp.frames[0].applied;
    expect(front[at] - front[at + 1]).toBeGreaterThan(0.3);
  }, JOB_TEST_TIMEOUT); // training, bake and apply jobs, waited on while they advance (testing/job-wait.ts)
});
