/**
 * What the static splat formats (ply.ts, gltf.ts, spz.ts) share: the avatar posed at a tracked frame, expression
 * coefficients or neutral (CPU `deformReference` through `poseAvatar`, head model space), degenerate Gaussians left
 * out, then the format's encoder and an atomic write.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Correctives } from '@engine/avatar/lbs-backward';
import type { StoredExpressionSpace } from '@engine/avatar/open-head/stored-space';
import { readHeadTuningExport } from '@engine/avatar/trainer/head-tuning';
import { finiteSplats } from '@engine/export/splat-cloud';
import { StudioError } from '@shared/api/errors';
import type { StaticExportFormat } from '../export-types';
import type { ExportParams } from '../export-types';
import { poseAvatar, type FitFileLike } from '../pose-avatar';
import { writeExportFile } from '../write-export';
import type { ExportWriter } from './types';

type Cloud = ReturnType<typeof finiteSplats>;
/** The pose a static export was made at: a tracked frame, or expression coefficients. */
export interface StaticPose {
  avatarId: string;
  frame: number | null;
  expression: number[] | null;
}
/** One static format's encoder: the posed splats → the file's bytes. */
export type SplatEncoder = (cloud: Cloud, pose: StaticPose) => Uint8Array;

/** The bytes of one static export (also for tests and benches without a job). */
export function renderStaticExport(
  inputs: { avatarBin: Uint8Array; space: StoredExpressionSpace; fit: FitFileLike | null; correctives?: Correctives | null },
  p: Pick<ExportParams, 'frame' | 'expression' | 'avatarId'>,
  encode: SplatEncoder,
): { bytes: Uint8Array; gaussians: number; dropped: number } {
  const choice = p.frame !== null ? { frame: p.frame } : p.expression ? { expression: p.expression } : ({ neutral: true } as const);
  const posed = poseAvatar(inputs.avatarBin, inputs.space, inputs.fit, choice, inputs.correctives ?? null);
  const cloud = finiteSplats(posed.cloud);
  if (cloud.count === 0) throw new StudioError('CONFLICT', 'Every Gaussian of this avatar sits on a degenerate triangle at this pose: nothing to export.');
  const bytes = encode(cloud, { avatarId: p.avatarId, frame: posed.pose.frame, expression: posed.pose.expression });
  return { bytes, gaussians: cloud.count, dropped: cloud.dropped };
}

function readJson<T>(file: string, what: string): T {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch (err) {
    throw new StudioError('NOT_FOUND', `${what} (${path.basename(file)}) cannot be read: ${(err as Error).message}`);
  }
}

/** The writer of a static splat format with this encoder. */
export function staticSplatWriter<F extends StaticExportFormat>(format: F, encode: SplatEncoder): ExportWriter<F> & { encode: SplatEncoder } {
  return {
    format,
    encode,
    async run(ctx, params) {
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
      const out = renderStaticExport({ avatarBin, space, fit, correctives }, params, encode);
      ctx.progress({ fraction: 0.7, stage: `Writing ${path.basename(params.target)}` });
      ctx.throwIfCancelled();
      const written = writeExportFile(params.target, out.bytes);
      return { target: params.target, ...written, gaussians: out.gaussians, dropped: out.dropped, seconds: (performance.now() - t0) / 1000 };
    },
  };
}
