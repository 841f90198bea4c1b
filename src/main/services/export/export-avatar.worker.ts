import fs from 'node:fs';
import path from 'node:path';
import { finiteSplats } from '@engine/export/splat-cloud';
import { writeSplatPly } from '@engine/export/splat-ply';
import { writeSplatGlb } from '@engine/export/splat-gltf';
import { writeSplatSpz } from '@engine/export/splat-spz';
import { StudioError } from '@shared/api/errors';
import type { WorkerJob } from '../../jobs/worker-context';
import type { StoredExpressionSpace } from '@engine/avatar/open-head/stored-space';
import { poseAvatar, type FitFileLike } from './pose-avatar';
import type { ExportOutput, ExportParams, StaticExportFormat } from './export-types';
import { writeExportFile } from './write-export';
import type { Correctives } from '@engine/avatar/lbs-backward';
import { readHeadTuningExport } from '@engine/avatar/trainer/head-tuning';
import { runVideoExport } from './video-export';
import { runDataExport } from './data-export';
import { runPlayerExport } from './player-export';

/** The bytes of one static export (also used by tests and the bench without a job). */
export function renderExport(
  inputs: { avatarBin: Uint8Array; space: StoredExpressionSpace; fit: FitFileLike | null; correctives?: Correctives | null },
  p: Pick<ExportParams, 'frame' | 'expression' | 'avatarId'> & { format: StaticExportFormat },
): { bytes: Uint8Array; gaussians: number; dropped: number } {
  const choice = p.frame !== null ? { frame: p.frame } : p.expression ? { expression: p.expression } : ({ neutral: true } as const);
  const posed = poseAvatar(inputs.avatarBin, inputs.space, inputs.fit, choice, inputs.correctives ?? null);
  const cloud = finiteSplats(posed.cloud);
  if (cloud.count === 0) throw new StudioError('CONFLICT', 'Every Gaussian of this avatar sits on a degenerate triangle at this pose: nothing to export.');
  const settings = { avatarId: p.avatarId, frame: posed.pose.frame, expression: posed.pose.expression };
  const bytes =
    p.format === 'ply'
      ? writeSplatPly(cloud, `Avatar Studio avatar ${p.avatarId} ${posed.pose.frame !== null ? `frame ${posed.pose.frame}` : 'expression'}`)
      : p.format === 'spz'
        ? writeSplatSpz(cloud)
        : writeSplatGlb(cloud, { generator: 'Avatar Studio', extras: settings });
  return { bytes, gaussians: cloud.count, dropped: cloud.dropped };
}

function readJson<T>(file: string, what: string): T {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch (err) {
    throw new StudioError('NOT_FOUND', `${what} (${path.basename(file)}) cannot be read: ${(err as Error).message}`);
  }
}

export const exportAvatarWorker: WorkerJob<ExportParams, null, ExportOutput> = {
  async run(ctx, params) {
    if (params.format === 'mp4' || params.format === 'png-sequence') return runVideoExport(ctx, params);
    if (params.format === 'player') return runPlayerExport(ctx, params);
    if (params.data) return runDataExport(ctx, params);
    const t0 = performance.now();
    if (!ctx.projectDir) throw new StudioError('NOT_FOUND', 'The project of this avatar has no folder any more.');
    const abs = (rel: string) => path.join(ctx.projectDir!, ...rel.split('/'));
    ctx.progress({ fraction: 0.1, stage: 'Posing the avatar' });
    let avatarBin: Uint8Array;
    try {
      // A plain Uint8Array: parseAvatarBin copies with .slice(), which on a Node Buffer is a view, not a copy.
      avatarBin = new Uint8Array(fs.readFileSync(abs(params.files.avatar)));
    } catch {
      throw new StudioError('NOT_FOUND', `The avatar's file ${params.files.avatar} is missing from the project folder; train the avatar again.`);
    }
    const space = readJson<StoredExpressionSpace>(abs(params.files.expressionSpace), "The capture's expression space");
    const fit = params.files.fit ? readJson<FitFileLike>(abs(params.files.fit), "The capture's tracked motion") : null;
    let correctives: Correctives | null = null;
    if (params.files.headTuning) {
      try {
        correctives = readHeadTuningExport(new Uint8Array(fs.readFileSync(abs(params.files.headTuning)))).correctives;
      } catch (err) {
        throw new StudioError('NOT_FOUND', `The avatar's learnt correctives (${params.files.headTuning}) cannot be read: ${(err as Error).message}`);
      }
    }
    ctx.throwIfCancelled();
    const out = renderExport({ avatarBin, space, fit, correctives }, { ...params, format: params.format as StaticExportFormat });
    ctx.progress({ fraction: 0.7, stage: `Writing ${path.basename(params.target)}` });
    ctx.throwIfCancelled();
    const written = writeExportFile(params.target, out.bytes);
    return { target: params.target, ...written, gaussians: out.gaussians, dropped: out.dropped, seconds: (performance.now() - t0) / 1000 };
  },
};
