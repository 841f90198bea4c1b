/**
 * Loads what the viewport shows: `avatars.get` for the paths, then avatar.bin (bound Gaussians), the expression space
 * (the subject's open head), the first camera's fit.json (the tracked motion) and, when the run tuned heads, the learnt
 * corrective blend shapes (head-tuning.bin) through the project's file route.
 */
import { parseAvatarBin } from '@engine/avatar/binding/avatar-file';
import { misboundGaussian, type BoundGaussianData } from '@engine/avatar/binding/bound-gaussians';
import { readHeadTuningExport } from '@engine/avatar/trainer/head-tuning';
import type { AvatarWithFiles } from '@shared/model/avatar-files';
import type { StoredExpressionSpace } from '@engine/avatar/open-head/stored-space';
import { studio } from '../../store/studio';
import { HeadRig, type FitFile } from '@engine/avatar/head-rig';

export interface LoadedAvatar {
  info: AvatarWithFiles;
  data: BoundGaussianData;
  rig: HeadRig;
  /** The tracked motion of the first camera with a fit; null when the capture's tracking is gone. */
  fit: FitFile | null;
  fitCamera: string | null;
}

async function fetchFile(projectId: string, rel: string): Promise<Response> {
  const res = await fetch(studio().assetUrl(projectId, rel));
  if (!res.ok) throw new Error(`Could not read ${rel} from the project folder (HTTP ${res.status}).`);
  return res;
}

/** `bakedAvatar`: show the bake's baked-avatar.bin when the avatar has a bake (the texture editor), else avatar.bin. */
export async function loadAvatar(avatarId: string, options: { bakedAvatar?: boolean } = {}): Promise<LoadedAvatar> {
  const info = await studio().client.call('avatars.get', { id: avatarId });
  const pid = info.avatar.projectId;
  if (info.avatar.headModel !== 'open-head') throw new Error(`This avatar is bound to the ${info.avatar.headModel} head model; the viewport shows open-head avatars only.`);
  if (!info.files.expressionSpace) throw new Error("The capture's tracking (its expression space) is gone, so the avatar's head cannot be built. Track the capture again.");
  const [bin, space, fit, tuning] = await Promise.all([
    fetchFile(pid, (options.bakedAvatar && info.files.bake?.bakedAvatar) || info.files.avatar).then((r) => r.arrayBuffer()),
    fetchFile(pid, info.files.expressionSpace).then((r) => r.json() as Promise<StoredExpressionSpace>),
    info.files.fits[0] ? fetchFile(pid, info.files.fits[0].path).then((r) => r.json() as Promise<FitFile>) : Promise.resolve(null),
    info.files.headTuning ? fetchFile(pid, info.files.headTuning).then((r) => r.arrayBuffer()) : Promise.resolve(null),
  ]);
  const data = parseAvatarBin(new Uint8Array(bin));
  const rig = new HeadRig(space, fit, tuning ? readHeadTuningExport(new Uint8Array(tuning)).correctives : null);
  const misbound = misboundGaussian(data, rig.model.triangles);
  if (misbound) throw new Error(`avatar.bin does not fit this head: ${misbound}.`);
  return { info, data, rig, fit, fitCamera: info.files.fits[0]?.cameraName ?? null };
}
