/**
 * Test fixture: an avatar row + avatar.bin for a crafted tracked capture (`training/test-capture.ts`), without
 * training — the open head built from the capture's expression space, Gaussians initialised from its UV layout
 * (`initFromUvLayout`), then given distinct opacities, SH and normal offsets so values can be traced through an export.
 */
import fs from 'node:fs';
import path from 'node:path';
import { initFromUvLayout } from '@engine/avatar/binding/init';
import type { BoundGaussianData } from '@engine/avatar/binding/bound-gaussians';
import type { StudioHost } from '../../host/studio-host';
import { newId } from '../library/ids';
import { openHeadFor, type StoredExpressionSpace } from '@engine/avatar/open-head/stored-space';
import { serializeBound } from '@engine/avatar/binding/avatar-file';
import { avatarDir, captureTrackingDir } from '../training/training-types';

export function craftAvatar(host: StudioHost, projectId: string, captureId: string, uvResolution = 24): { avatarId: string; data: BoundGaussianData } {
  const root = host.services.projects.folderOf(projectId);
  const space = JSON.parse(fs.readFileSync(path.join(root, captureTrackingDir(captureId), 'expression-space.json'), 'utf8')) as StoredExpressionSpace;
  const model = openHeadFor(space);
  const init = initFromUvLayout({ vertices: model.evaluate({}), triangles: model.triangles }, model.uv!, { resolution: uvResolution });
  const d = init.data;
  for (let i = 0; i < d.count; i++) {
    d.opacities[i] = -2 + (4 * i) / d.count;
    d.offset[i] = ((i % 7) - 3) * 1e-4;
    for (let c = 0; c < 3; c++) d.sh[i * 3 + c] = ((i * 3 + c) % 11) / 11 - 0.5;
  }
  const avatarId = newId();
  const dir = path.join(root, avatarDir(avatarId));
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'avatar.bin'), serializeBound(d));
  host.services.library.db
    .prepare('INSERT INTO avatars (id, project_id, name, version, head_model, checkpoint_blob_id, meta, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
    .run(avatarId, projectId, 'Crafted avatar', 1, 'open-head', null, JSON.stringify({ captureId, gaussians: d.count }), Date.now());
  return { avatarId, data: d };
}
