/**
 * What the data exports' writers share (`bundle`, `maps`, `mesh-obj`, `mesh-gltf`, each in formats/<id>.ts; host side
 * in data-export-request.ts): reading the avatar's files from the project folder, the bundle's input, the mesh poser,
 * and `runDataExport`, the frame each writer runs in. The writers build the bytes with the engine's writers
 * (native/engine/export/avatar-bundle.ts, mesh-obj.ts, mesh-gltf.ts) and write them atomically — a file with
 * `writeExportFile`, a folder with `writeExportFolder`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AvatarBundleError, type AvatarBundleInput, type BundleBakeFile } from '@engine/export/avatar-bundle';
import { HeadPoser, PoseChoiceError } from '@engine/export/avatar-bundle-pose';
import { openHeadFor } from '@engine/avatar/open-head/stored-space';
import { readHeadTuningExport } from '@engine/avatar/trainer/head-tuning';
import { parseAvatarBin } from '@engine/avatar/binding/avatar-file';
import { StudioError } from '@shared/api/errors';
import { APP_VERSION } from '../../host/version';
import type { WorkerContext } from '../../jobs/worker-context';
import type { DataParams } from './data-export-request';
import type { ExportOutput, ExportParams } from './export-types';

type Files = ExportParams['files'];

function reader(projectDir: string) {
  return (rel: string, what: string): Uint8Array => {
    try {
      // A plain Uint8Array (a Node Buffer's .slice() is a view; the engine's readers copy with .slice()).
      return new Uint8Array(fs.readFileSync(path.join(projectDir, ...rel.split('/'))));
    } catch {
      throw new StudioError('NOT_FOUND', `${what} (${rel}) is missing from the project folder.`);
    }
  };
}

/** The bundle input of an avatar from its project files (also used by tests and the bench without a job). */
export function bundleInputFromFiles(projectDir: string, files: Files, data: DataParams, created = new Date()): AvatarBundleInput {
  const read = reader(projectDir);
  const motion = files.fit ? read(files.fit, "The capture's tracked motion") : null;
  let shape: number[] = [];
  if (motion) {
    try {
      shape = (JSON.parse(new TextDecoder().decode(motion)) as { shape?: number[] }).shape ?? [];
    } catch {
      throw new StudioError('CONFLICT', `The capture's tracked motion (${files.fit}) cannot be read; track the capture again.`);
    }
  }
  const bake: Partial<Record<BundleBakeFile, Uint8Array>> | null = data.bake ? {} : null;
  for (const [, rel] of Object.entries(data.bake ?? {})) bake![path.posix.basename(rel) as BundleBakeFile] = read(rel, 'A bake file');
  return {
    metadata: { ...data.metadata, created: created.toISOString(), generator: 'Avatar Studio', studioVersion: APP_VERSION },
    head: data.flame ? { kind: 'flame', model: data.flame, shape } : { kind: 'open-head', expressionSpace: read(files.expressionSpace, "The capture's expression space"), shape },
    avatar: read(files.avatar, "The avatar's file"),
    meta: data.meta ? read(data.meta, "The avatar's meta.json") : null,
    headTuning: data.headTuning ? read(data.headTuning, "The avatar's head tuning") : null,
    motion,
    motionFps: data.fps ?? null,
    bake,
  };
}

function engineError(err: unknown): unknown {
  if (err instanceof AvatarBundleError || err instanceof PoseChoiceError) return new StudioError('CONFLICT', `The avatar's files cannot be exported: ${err.message}`);
  return err;
}

/** The poser of an avatar's head (shape and correctives as trained) and its tracked frames, every `step`-th; the mesh's topology. */
export function meshPoser(projectDir: string, files: Files, data: DataParams) {
  const read = reader(projectDir);
  const space = JSON.parse(new TextDecoder().decode(read(files.expressionSpace, "The capture's expression space")));
  const fit = JSON.parse(new TextDecoder().decode(read(files.fit!, "The capture's tracked motion"))) as { shape?: number[]; frames: { idx: number; rotation: number[]; translation: number[]; expression: number[]; jaw: number[]; eyes: number[] }[] };
  const model = openHeadFor(space);
  const correctives = data.headTuning ? readHeadTuningExport(read(data.headTuning, "The avatar's head tuning")).correctives : null;
  const poser = new HeadPoser({ model, shape: fit.shape ?? [], correctives, frames: fit.frames });
  const frames = fit.frames.filter((_, i) => i % data.frameStep === 0);
  const secondsPerFrame = 1 / (data.fps ?? 25);
  const uv = model.uv!;
  const base = { triangles: model.triangles, uv: uv.coords, uvTriangles: uv.triangles };
  return { poser, base, frames, secondsPerFrame };
}

/** What a data format's writer gets (formats/bundle.ts, maps.ts, mesh-obj.ts, mesh-gltf.ts). */
export interface DataExportContext {
  dir: string;
  data: DataParams;
  read: (rel: string, what: string) => Uint8Array;
  /** The job's output for what was written (`frames`: files or frames, where the format counts them). */
  done(written: { sha256: string; size: number }, frames?: number): ExportOutput;
}

/**
 * The frame of every data export: the project folder and settings checked, the avatar's Gaussians counted, the
 * engine's refusals turned into messages; `write` writes the format's file or folder.
 */
export async function runDataExport(ctx: WorkerContext, p: ExportParams, write: (c: DataExportContext) => ExportOutput): Promise<ExportOutput> {
  const t0 = performance.now();
  if (!ctx.projectDir) throw new StudioError('NOT_FOUND', 'The project of this avatar has no folder any more.');
  const data = p.data;
  if (!data) throw new StudioError('BAD_REQUEST', `The ${p.format} export's settings are missing.`);
  const dir = ctx.projectDir;
  const gaussians = (() => {
    try {
      return parseAvatarBin(reader(dir)(p.files.avatar, "The avatar's file")).count;
    } catch (err) {
      if (err instanceof StudioError) throw err;
      throw new StudioError('CONFLICT', `The avatar's file cannot be read: ${(err as Error).message} Train the avatar again.`);
    }
  })();
  const done = (w: { sha256: string; size: number }, frames?: number): ExportOutput => ({
    target: p.target, ...w, gaussians, dropped: 0, seconds: (performance.now() - t0) / 1000, ...(frames !== undefined ? { frames } : {}),
  });
  try {
    return write({ dir, data, read: reader(dir), done });
  } catch (err) {
    throw engineError(err);
  }
}
