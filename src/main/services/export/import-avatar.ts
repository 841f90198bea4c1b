/**
 * `avatars.import`: an avatar bundle (docs/avatar-bundle.md) → a new avatar in a project. The bundle is read and
 * validated whole first (signature, version — an unknown one is refused with the version named —, CRCs, every part);
 * then its files are written byte for byte into `avatars/<id>.partial/` (each with `writeFileAtomic`), the folder is
 * renamed into place and the avatar row and blob records are inserted in one transaction. Any failure removes the
 * partial folder, so nothing half-imported is left.
 *
 * An imported avatar has no capture: its head (`expression-space.json`) and tracked motion (`motion.json`, the
 * exporter's fit.json) live in its own folder, where `avatars.get` finds them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AvatarBundleError, readAvatarBundle } from '@engine/export/avatar-bundle';
import { StudioError } from '@shared/api/errors';
import type { Avatar } from '@shared/model/avatar';
import { toStudioFsError, writeFileAtomic } from '../fs/atomic-write';
import { newId } from '../library/ids';
import type { StudioServices } from '../studio-services';
import { avatarDir, avatarPartialDir } from '../training/training-types';

/** Where each bundle section goes in the imported avatar's folder (bake sections keep their `bake/…` names). */
export const IMPORTED_FILES = { expressionSpace: 'expression-space.json', motion: 'motion.json' } as const;

export function importAvatar(s: Pick<StudioServices, 'projects' | 'library' | 'avatars' | 'blobs'>, r: { projectId: string; file: string; name?: string }): Avatar {
  const project = s.projects.get(r.projectId);
  if (project.trashedAt !== null) throw new StudioError('CONFLICT', 'Restore the project from the trash before importing into it.');
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(fs.readFileSync(r.file));
  } catch (err) {
    throw new StudioError('NOT_FOUND', `The bundle ${r.file} cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`);
  }
  let bundle;
  try {
    bundle = readAvatarBundle(bytes);
  } catch (err) {
    if (err instanceof AvatarBundleError) throw new StudioError('BAD_REQUEST', `${path.basename(r.file)} cannot be imported: ${err.message}`);
    throw err;
  }
  const m = bundle.manifest;
  const files: { rel: string; bytes: Uint8Array }[] = [{ rel: 'avatar.bin', bytes: bundle.section(m.gaussians.section) }];
  if (m.meta) files.push({ rel: 'meta.json', bytes: bundle.section(m.meta) });
  if (m.correctives) files.push({ rel: 'head-tuning.bin', bytes: bundle.section(m.correctives.section) });
  if (m.head.kind === 'open-head') files.push({ rel: IMPORTED_FILES.expressionSpace, bytes: bundle.section(m.head.expressionSpace) });
  if (m.motion) files.push({ rel: IMPORTED_FILES.motion, bytes: bundle.section(m.motion.section) });
  for (const f of m.bake?.files ?? []) files.push({ rel: f, bytes: bundle.section(f) });

  const avatarId = newId();
  const root = s.projects.folderOf(r.projectId);
  const partial = path.join(root, avatarPartialDir(avatarId));
  const final = path.join(root, avatarDir(avatarId));
  const written: { rel: string; sha256: string; size: number }[] = [];
  try {
    for (const f of files) written.push({ rel: f.rel, ...writeFileAtomic(path.join(partial, ...f.rel.split('/')), f.bytes) });
    fs.renameSync(partial, final);
  } catch (err) {
    fs.rmSync(partial, { recursive: true, force: true });
    throw toStudioFsError(err, 'importing the avatar bundle');
  }
  const src = m.metadata.source ?? {};
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  const metrics = src.metrics && typeof src.metrics === 'object' ? (src.metrics as { psnr: number; ssim: number }) : null;
  try {
    const db = s.library.db;
    db.transaction(() => {
      for (const w of written) s.blobs.record(r.projectId, `${avatarDir(avatarId)}/${w.rel}`, w.sha256, w.size);
      const meta = {
        captureId: null,
        metrics,
        preset: typeof src.preset === 'string' ? src.preset : undefined,
        steps: num(src.steps),
        gaussians: bundle.gaussians.count,
        imported: { file: path.basename(r.file), bundleVersion: bundle.version, created: m.metadata.created, studioVersion: m.metadata.studioVersion, name: m.metadata.name, avatarVersion: m.metadata.avatarVersion, source: src },
      };
      s.avatars.insert({ id: avatarId, projectId: r.projectId, name: r.name ?? m.metadata.name, headModel: m.head.kind, meta });
    })();
  } catch (err) {
    fs.rmSync(final, { recursive: true, force: true });
    throw err;
  }
  return s.avatars.get(avatarId);
}
