/**
 * Test fixture: a bakeable avatar — a crafted tracked capture (`training/test-capture.ts`, 6 frames, frame 5 held
 * out) and a crafted avatar on it (`export/test-avatar.ts`) with the meta.json a finished training writes (the
 * training image size the bake renders at). No training: the bake's mechanics are under test, not its quality
 * (the engine's bake.test.ts measures that).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Capture } from '@shared/model/capture';
import type { StudioHost } from '../../host/studio-host';
import { craftAvatar } from '../export/test-avatar';
import { craftTrackedCapture } from '../training/test-capture';
import { avatarDir } from '../training/training-types';

export async function craftBakeableAvatar(host: StudioHost, projectId: string, mediaDir: string, o: { imageLongSide?: number; uvResolution?: number } = {}): Promise<{ avatarId: string; capture: Capture }> {
  const capture = await craftTrackedCapture(host, projectId, mediaDir, { frames: 6, test: [5] });
  const { avatarId } = craftAvatar(host, projectId, capture.id, o.uvResolution ?? 16);
  const side = o.imageLongSide ?? 32;
  const meta = { avatarId, captureId: capture.id, headModel: 'open-head', image: { w: side, h: side }, holdOutCamera: null };
  fs.writeFileSync(path.join(host.services.projects.folderOf(projectId), avatarDir(avatarId), 'meta.json'), JSON.stringify(meta));
  return { avatarId, capture };
}
