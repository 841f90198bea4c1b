import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { StudioError } from '@shared/api/errors';
import type { JobDefinition } from '../../jobs/job-definition';
import type { StudioServices } from '../studio-services';
import { hashFile } from '../fs/atomic-write';
import { commitFolder } from '../fs/folder-commit';
import { TrainingConfig, TrainingPreset } from '@shared/model/avatar';
import { avatarDir, avatarPartialDir, type TrainOutput, type TrainParams } from './training-types';

const Output = z.object({
  avatarId: z.string(),
  headModel: z.string(),
  steps: z.number().int(),
  resumedFrom: z.number().int().default(0),
  gaussians: z.number().int(),
  trainFrames: z.number().int(),
  skippedFrames: z.number().int(),
  metrics: z.object({ psnr: z.number(), ssim: z.number() }).nullable(),
  trackedMetrics: z.object({ psnr: z.number(), ssim: z.number() }).nullable().default(null),
  fullFrame: z.object({ psnr: z.number(), ssim: z.number() }).nullable().default(null),
  headMattePsnr: z.number().nullable().default(null),
  perFrame: z.array(
    z.object({ idx: z.number().int(), cameraId: z.string(), psnr: z.number(), ssim: z.number(), maskedPsnr: z.number().nullable().default(null), crop: z.object({ psnr: z.number(), ssim: z.number() }).nullable().default(null), images: z.object({ groundTruth: z.string(), render: z.string(), error: z.string() }) }),
  ),
  files: z.array(z.string()),
  seconds: z.number(),
});

export const trainAvatarJob: JobDefinition<TrainParams, TrainOutput> = {
  kind: 'avatar.train',
  params: z.object({
    projectId: z.string(),
    captureId: z.string(),
    avatarId: z.string(),
    runId: z.string(),
    preset: TrainingPreset,
    config: TrainingConfig,
    holdOutCamera: z.string().nullable(),
  }),
  // Checkpoints are written atomically: after a full disk the last one is intact and worth resuming from.
  keepPartialOnDiskFull: true,
  previewAfterCommit: (job) => {
    const p = job.params as TrainParams;
    return `${avatarDir(p.avatarId)}/preview.png`;
  },
  title: (p, s) => `Train an avatar on “${s.captures.get(p.captureId).name}”`,
  projectDir: (p, s) => s.projects.folderOf(p.projectId),
  commit(s: StudioServices, job, raw) {
    const out = Output.parse(raw);
    const p = job.params as TrainParams;
    const root = s.projects.folderOf(p.projectId);
    const partial = path.join(root, avatarPartialDir(p.avatarId));
    const final = path.join(root, avatarDir(p.avatarId));
    if (!fs.existsSync(partial)) throw new StudioError('INTERNAL', 'The trained avatar went missing before it could be recorded. Train again.');
    const hashes = out.files.map((f) => ({ f, ...hashFile(path.join(partial, f)) }));
    const db = s.library.db;
    const now = Date.now();
    // A folder left at the avatar's place (an earlier commit whose record failed) is replaced; it is no avatar's.
    commitFolder({
      partial,
      final,
      journal: s.library.commits,
      record: () => {
        const blobIds = new Map(hashes.map((h) => [h.f, s.blobs.record(p.projectId, `${avatarDir(p.avatarId)}/${h.f}`, h.sha256, h.size).id]));
        const captureName = s.captures.get(p.captureId).name;
        const meta = {
          captureId: p.captureId,
          metrics: out.metrics,
          trackedMetrics: out.trackedMetrics,
          metricsOver: 'head crop',
          fullFrame: out.fullFrame,
          headMattePsnr: out.headMattePsnr,
          preset: p.preset,
          steps: out.steps,
          gaussians: out.gaussians,
          trainFrames: out.trainFrames,
          skippedFrames: out.skippedFrames,
          seconds: out.seconds,
          holdOutCamera: p.holdOutCamera,
          avatarBlobId: blobIds.get('avatar.bin') ?? null,
        };
        s.avatars.insert({ id: p.avatarId, projectId: p.projectId, name: `${captureName} avatar`, headModel: out.headModel, checkpointBlobId: blobIds.get('checkpoint.bin') ?? null, meta, createdAt: now });
        const config = { ...p.config, holdOutCamera: p.holdOutCamera, evaluation: p.holdOutCamera ? 'camera' : 'split' };
        db.prepare('INSERT INTO training_runs (id, project_id, avatar_id, capture_id, job_id, preset, config, status, iterations, started_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').run(
          p.runId,
          p.projectId,
          p.avatarId,
          p.captureId,
          job.id,
          p.preset,
          JSON.stringify(config),
          'completed',
          out.steps,
          Math.round(now - out.seconds * 1000),
          now,
        );
        const frameId = db.prepare('SELECT id FROM frames WHERE capture_id = ? AND camera_id = ? AND idx = ?').pluck();
        const metric = db.prepare('INSERT INTO training_metrics (run_id, iteration, split, frame_id, name, value) VALUES (?, ?, ?, ?, ?, ?)');
        for (const f of out.perFrame) {
          const id = (frameId.get(p.captureId, f.cameraId, f.idx) as number | undefined) ?? null;
          metric.run(p.runId, out.steps, 'test', id, 'psnr', f.psnr);
          metric.run(p.runId, out.steps, 'test', id, 'ssim', f.ssim);
          if (f.maskedPsnr !== null && Number.isFinite(f.maskedPsnr)) metric.run(p.runId, out.steps, 'test', id, 'maskedPsnr', f.maskedPsnr);
          if (f.crop) {
            metric.run(p.runId, out.steps, 'test', id, 'cropPsnr', f.crop.psnr);
            metric.run(p.runId, out.steps, 'test', id, 'cropSsim', f.crop.ssim);
          }
        }
        if (out.metrics) {
          metric.run(p.runId, out.steps, 'test', null, 'psnr', out.metrics.psnr);
          metric.run(p.runId, out.steps, 'test', null, 'ssim', out.metrics.ssim);
        }
        if (out.trackedMetrics) {
          metric.run(p.runId, out.steps, 'test', null, 'trackedPsnr', out.trackedMetrics.psnr);
          metric.run(p.runId, out.steps, 'test', null, 'trackedSsim', out.trackedMetrics.ssim);
        }
        if (out.fullFrame) {
          metric.run(p.runId, out.steps, 'test', null, 'fullPsnr', out.fullFrame.psnr);
          metric.run(p.runId, out.steps, 'test', null, 'fullSsim', out.fullFrame.ssim);
        }
        if (out.headMattePsnr !== null) metric.run(p.runId, out.steps, 'test', null, 'headMattePsnr', out.headMattePsnr);
      },
    });
    return { avatarId: p.avatarId, avatar: p.avatarId, captureId: p.captureId, metrics: out.metrics, trackedMetrics: out.trackedMetrics, fullFrame: out.fullFrame, headMattePsnr: out.headMattePsnr, steps: out.steps, resumedFrom: out.resumedFrom, gaussians: out.gaussians, trainFrames: out.trainFrames, skippedFrames: out.skippedFrames, testFrames: out.perFrame.length, seconds: out.seconds };
  },
  discard(s, job) {
    const p = job.params as TrainParams;
    try {
      fs.rmSync(path.join(s.projects.folderOf(p.projectId), avatarPartialDir(p.avatarId)), { recursive: true, force: true });
    } catch {
      // the project is gone
    }
  },
};
