/**
 * `avatars.import`: an avatar bundle (docs/avatar-bundle.md) → a new avatar in a project. A bundle comes from a
 * stranger, so: the library must be writable and the project usable before anything is read; the file must be a
 * regular file under the size cap (`readOutsideFile`); the bundle is read and validated whole (signature, version —
 * an unknown one is refused with the version named —, the manifest's structure, CRCs, every part, meta.json); the
 * avatar's row is computed from checked values only. Then its files are written byte for byte, under names this
 * module chooses (never the bundle's), into `avatars/<id>.partial/` (each with `writeFileAtomic`, each path through
 * `requireContainedPath`), and `commitFolder` puts the folder in place with the avatar row and blob records inserted in
 * one transaction. Any failure removes what was written, so nothing half-imported is left.
 *
 * An imported avatar has no capture: its head (`expression-space.json`) and tracked motion (`motion.json`, the
 * exporter's fit.json) live in its own folder, where `avatars.get` finds them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AvatarBundleError, BUNDLE_BAKE_FILES, BUNDLE_SECTIONS, readAvatarBundle, type AvatarBundle } from '@engine/export/avatar-bundle';
import { StudioError } from '@shared/api/errors';
import { AvatarMetrics, TrainingPreset, type Avatar } from '@shared/model/avatar';
import { toStudioFsError, writeFileAtomic } from '../fs/atomic-write';
import { readOutsideFile, requireContainedPath } from '../fs/contained-path';
import { commitFolder } from '../fs/folder-commit';
import { newId } from '../library/ids';
import type { StudioServices } from '../studio-services';
import { avatarDir, avatarPartialDir } from '../training/training-types';

/** Where each bundle section goes in the imported avatar's folder (bake sections keep their `bake/…` names). */
export const IMPORTED_FILES = { expressionSpace: 'expression-space.json', motion: 'motion.json' } as const;

/** Largest bundle accepted: a 250k-Gaussian avatar with a 1024² bake is well under 200 MiB. */
export const MAX_BUNDLE_BYTES = 1024 ** 3;
/** Provenance kept from the bundle's metadata, at most this much JSON (it is stored in the library's avatar row). */
const MAX_SOURCE_JSON = 64 * 1024;

/** The files an imported avatar's folder gets, by names of this module's choosing. */
function filesOf(bundle: AvatarBundle): { rel: string; bytes: Uint8Array }[] {
  const m = bundle.manifest;
  const files = [{ rel: 'avatar.bin', bytes: bundle.section(BUNDLE_SECTIONS.avatar) }];
  if (m.meta) files.push({ rel: 'meta.json', bytes: bundle.section(BUNDLE_SECTIONS.meta) });
  if (m.correctives) files.push({ rel: 'head-tuning.bin', bytes: bundle.section(BUNDLE_SECTIONS.headTuning) });
  if (m.head.kind === 'open-head') files.push({ rel: IMPORTED_FILES.expressionSpace, bytes: bundle.section(BUNDLE_SECTIONS.expressionSpace) });
  if (m.motion) files.push({ rel: IMPORTED_FILES.motion, bytes: bundle.section(BUNDLE_SECTIONS.motion) });
  if (m.bake) for (const f of BUNDLE_BAKE_FILES) if (m.bake.files.includes(`bake/${f}`)) files.push({ rel: `bake/${f}`, bytes: bundle.section(`bake/${f}`) });
  return files;
}

/** The avatar's row metadata, from checked values only (a value of the wrong type is dropped, never stored). */
function avatarMetaOf(bundle: AvatarBundle, fileName: string) {
  const m = bundle.manifest;
  const src = (m.metadata.source ?? {}) as Record<string, unknown>;
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  const str = (v: unknown, max = 200) => (typeof v === 'string' ? v.slice(0, max) : undefined);
  const metrics = AvatarMetrics.safeParse(src.metrics);
  const preset = TrainingPreset.safeParse(src.preset);
  const steps = num(src.steps);
  const sourceJson = JSON.stringify(src);
  return {
    captureId: null,
    metrics: metrics.success && Number.isFinite(metrics.data.psnr) && Number.isFinite(metrics.data.ssim) ? { psnr: metrics.data.psnr, ssim: metrics.data.ssim } : null,
    preset: preset.success ? preset.data : undefined,
    steps: steps !== undefined && Number.isSafeInteger(steps) && steps >= 0 ? steps : undefined,
    gaussians: bundle.gaussians.count,
    imported: {
      file: fileName.slice(0, 255),
      bundleVersion: bundle.version,
      created: str(m.metadata.created, 64),
      studioVersion: str(m.metadata.studioVersion, 64),
      name: str(m.metadata.name),
      avatarVersion: num(m.metadata.avatarVersion),
      source: sourceJson.length <= MAX_SOURCE_JSON ? src : { omitted: `${sourceJson.length} bytes of provenance` },
    },
  };
}

/** A display name from the bundle: control characters removed, trimmed, at most 120 characters. */
function avatarNameOf(bundle: AvatarBundle): string {
  const name = bundle.manifest.metadata.name.replace(/[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/g, ' ').trim().slice(0, 120).trim();
  return name || 'Imported avatar';
}

export function importAvatar(s: Pick<StudioServices, 'projects' | 'library' | 'avatars' | 'blobs'>, r: { projectId: string; file: string; name?: string }): Avatar {
  s.library.assertWritable();
  const project = s.projects.get(r.projectId);
  if (project.trashedAt !== null) throw new StudioError('CONFLICT', 'Restore the project from the trash before importing into it.');
  const bytes = new Uint8Array(readOutsideFile(r.file, { maxBytes: MAX_BUNDLE_BYTES, what: 'The avatar bundle' }));
  let bundle: AvatarBundle;
  try {
    bundle = readAvatarBundle(bytes);
  } catch (err) {
    if (err instanceof AvatarBundleError) throw new StudioError('BAD_REQUEST', `${path.basename(r.file)} cannot be imported: ${err.message}`);
    throw new StudioError('BAD_REQUEST', `${path.basename(r.file)} cannot be imported: the bundle is damaged (${(err as Error).message}).`);
  }
  const files = filesOf(bundle);
  const meta = avatarMetaOf(bundle, path.basename(r.file));
  const name = r.name ?? avatarNameOf(bundle);

  const avatarId = newId();
  const root = s.projects.folderOf(r.projectId);
  const partial = path.join(root, avatarPartialDir(avatarId));
  const final = path.join(root, avatarDir(avatarId));
  try {
    const written: { rel: string; sha256: string; size: number }[] = [];
    for (const f of files) written.push({ rel: f.rel, ...writeFileAtomic(requireContainedPath(partial, f.rel, 'A bundle file'), f.bytes) });
    commitFolder({
      partial,
      final,
      journal: s.library.commits,
      record: () => {
        for (const w of written) s.blobs.record(r.projectId, `${avatarDir(avatarId)}/${w.rel}`, w.sha256, w.size);
        s.avatars.insert({ id: avatarId, projectId: r.projectId, name, headModel: bundle.manifest.head.kind, meta });
      },
    });
  } catch (err) {
    // A failed commit puts the files back into the partial folder: nothing half-imported is left.
    fs.rmSync(partial, { recursive: true, force: true });
    throw toStudioFsError(err, 'importing the avatar bundle');
  }
  return s.avatars.get(avatarId);
}
