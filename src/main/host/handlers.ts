import type { MethodName, MethodParams, MethodResult } from '@shared/api/contract';
import path from 'node:path';
import { StudioError } from '@shared/api/errors';
import type { ImportSource } from '@shared/model/capture';
import { resolveUpload } from '../web/upload';
import { newId } from '../services/library/ids';
import { detachTrashedProjects } from '../services/projects/project-jobs';
import { toPublicJob } from '../jobs/jobs-repo';
import { checkFlameFiles, requireFlameForTracking, validateFlameSettings } from '../services/settings/flame-check';
import { resolveHoldOutCamera, resolveTrainingConfig } from '../services/training/presets';
import { avatarWithFiles } from '../services/training/avatar-files';
import { estimateTraining } from '../services/training/training-estimate';
import { isCpuAdapterInfo } from '@engine/gpu/adapter-kind';
import { bakeReport, prepareBake } from '../services/bake/bake-jobs';
import { TextureService } from '../services/texture/texture-service';
import { prepareApplyTexture } from '../services/texture/apply-jobs';
import { listExports, prepareExport, repeatRequest } from '../services/export/export-jobs';
import { importAvatar } from '../services/export/import-avatar';
import { prepareDrive } from '../services/drive/drive-jobs';
import { liveModel, liveTrackingFor } from '../services/live/live-tracking';
import { receiveRecordingChunk } from '../services/live/recording-upload';
import type { StudioHost } from './studio-host';

type Handlers = { [M in MethodName]: (params: MethodParams<M>, host: StudioHost) => MethodResult<M> | Promise<MethodResult<M>> };

/** One handler per StudioApi method; each delegates to a service. Parameters arrive validated. */
export const handlers: Handlers = {
  'app.info': (_p, host) => host.appInfo(),
  'app.gpu': (_p, host) => host.gpuInfo(),

  'library.info': (_p, host) => host.services.library.info(),
  'library.open': (p, host) => host.switchLibrary(p.path, p.create),

  'settings.get': (_p, host) => host.services.settings.get(),
  'settings.update': async (p, host) => {
    if (p.flame) await validateFlameSettings(p.flame);
    const settings = host.services.settings.update(p);
    host.emitEvent('settings.changed', settings);
    return settings;
  },
  'settings.checkFlame': (p) => checkFlameFiles(p),

  'projects.list': (p, host) => host.services.projects.list({ query: p.query, trashed: p.trashed }),
  'projects.get': (p, host) => host.services.projects.get(p.id),
  'projects.create': (p, host) => {
    const project = host.services.projects.create(p.name);
    host.emitEvent('projects.changed', { ids: [project.id] });
    return project;
  },
  'projects.rename': (p, host) => {
    const project = host.services.projects.rename(p.id, p.name);
    host.emitEvent('projects.changed', { ids: [project.id] });
    return project;
  },
  'projects.duplicate': (p, host) => {
    const source = host.services.projects.get(p.id);
    if (source.trashedAt !== null) throw new StudioError('CONFLICT', 'Restore the project from the trash before duplicating it.');
    const name = p.name ?? `${source.name} copy`;
    return host.jobs.enqueue('project.duplicate', { sourceId: source.id, targetId: newId(), name }, source.id);
  },
  'projects.trash': (p, host) => {
    const active = host.services.jobs.list({ projectId: p.id, includeFinished: false }).filter((j) => j.status === 'running' || j.status === 'queued');
    if (active.length) throw new StudioError('CONFLICT', `“${active[0]!.title}” is still running for this project. Cancel it or wait for it to finish, then delete the project.`);
    const project = host.services.projects.trash(p.id);
    host.emitEvent('projects.changed', { ids: [project.id] });
    return project;
  },
  'projects.restore': (p, host) => {
    const project = host.services.projects.restore(p.id);
    host.emitEvent('projects.changed', { ids: [project.id] });
    return project;
  },
  'projects.emptyTrash': (_p, host) => {
    const trashed = host.services.projects.list({ trashed: true });
    if (trashed.length === 0) throw new StudioError('CONFLICT', 'The trash is already empty.');
    const folders = detachTrashedProjects(host.services);
    host.emitEvent('projects.changed', { ids: trashed.map((t) => t.id) });
    return host.jobs.enqueue('trash.empty', { folders }, null);
  },

  'captures.list': (p, host) => host.services.captures.list(p.projectId),
  'captures.get': (p, host) => host.services.captures.get(p.id),
  'captures.import': (p, host) => {
    const project = host.services.projects.get(p.projectId);
    if (project.trashedAt !== null) throw new StudioError('CONFLICT', 'Restore the project from the trash before importing into it.');
    const resolve = (s: ImportSource) => {
      if ('path' in s) return { file: path.resolve(s.path), name: path.basename(s.path) };
      const file = resolveUpload(host.services.library.dir, s.uploadId);
      if (!file) throw new StudioError('NOT_FOUND', 'The uploaded file is gone (uploads are kept for a day). Upload it again.');
      return { file, name: path.basename(file) };
    };
    const sources = p.sources.map(resolve);
    return host.jobs.enqueue(
      'capture.import',
      { projectId: p.projectId, captureId: newId(), name: p.name ?? null, multiview: p.multiview, sources, calibration: p.calibration ? resolve(p.calibration).file : null, options: p.options },
      p.projectId,
    );
  },
  'captures.rename': (p, host) => {
    const capture = host.services.captures.rename(p.id, p.name);
    host.emitEvent('captures.changed', { projectId: capture.projectId, captureIds: [capture.id] });
    return capture;
  },
  'captures.delete': (p, host) => {
    const capture = host.services.captures.get(p.id);
    host.services.captures.delete(p.id);
    host.emitEvent('captures.changed', { projectId: capture.projectId, captureIds: [capture.id] });
    host.emitEvent('projects.changed', { ids: [capture.projectId] });
    return { id: p.id };
  },
  'captures.frames': (p, host) => host.services.captures.frames(p.captureId, p),
  'captures.setSplit': (p, host) => host.services.captures.setSplit(p.captureId, p.ranges, p.split),
  'captures.proposeSplit': (p, host) => host.services.captures.proposeSplit(p.captureId, p.testFraction),
  'captures.excludeBlurry': (p, host) => host.services.captures.excludeBlurry(p.captureId, p.relativeThreshold),

  'tracking.start': async (p, host) => {
    const flame = p.headModel === 'flame' ? await requireFlameForTracking(host.services.settings.get().flame) : undefined;
    const capture = host.services.captures.get(p.captureId);
    const running = host.services.jobs.list({ projectId: capture.projectId, includeFinished: false }).find((j) => j.kind === 'capture.track' && (j.params as { captureId: string }).captureId === p.captureId && (j.status === 'running' || j.status === 'queued'));
    if (running) throw new StudioError('CONFLICT', 'This capture is already being tracked.');
    return host.jobs.enqueue('capture.track', { projectId: capture.projectId, captureId: p.captureId, mask: p.mask, fit: p.fit, pick: p.pick, headModel: p.headModel, flame, photometricRefine: p.photometricRefine }, capture.projectId);
  },
  'training.start': (p, host) => {
    const capture = host.services.captures.get(p.captureId);
    const summary = host.services.tracking.summary(p.captureId);
    if (!summary || summary.headModel !== 'open-head') throw new StudioError('CONFLICT', host.services.tracking.whyNoFittedHead(p.captureId));
    const running = host.services.jobs.list({ projectId: capture.projectId, includeFinished: false }).find((j) => j.kind === 'capture.track' && (j.params as { captureId: string }).captureId === p.captureId && (j.status === 'running' || j.status === 'queued'));
    if (running) throw new StudioError('CONFLICT', 'This capture is being tracked; train once tracking has finished.');
    const config = resolveTrainingConfig(p.preset, p.overrides);
    const holdOutCamera = p.overrides?.holdOutCamera ? resolveHoldOutCamera(capture, p.overrides.holdOutCamera) : null;
    return host.jobs.enqueue('avatar.train', { projectId: capture.projectId, captureId: p.captureId, avatarId: newId(), runId: newId(), preset: p.preset, config, holdOutCamera }, capture.projectId);
  },
  'training.estimate': async (p, host) => {
    const gpu = await host.gpuInfo();
    return estimateTraining(host.services.library.db, p.preset, resolveTrainingConfig(p.preset, p.overrides ?? {}), gpu.adapter ? isCpuAdapterInfo(gpu.adapter) : null);
  },
  'training.report': (p, host) => host.services.avatars.report(p.avatarId),
  'avatars.list': (p, host) => {
    host.services.projects.get(p.projectId);
    return host.services.avatars.list(p.projectId);
  },
  'avatars.get': (p, host) => avatarWithFiles(host.services, p.id),
  'avatars.import': (p, host) => {
    let file: string;
    if (p.path !== undefined) file = path.resolve(p.path);
    else {
      const upload = resolveUpload(host.services.library.dir, p.uploadId!);
      if (!upload) throw new StudioError('NOT_FOUND', 'The uploaded file is gone (uploads are kept for a day). Upload it again.');
      file = upload;
    }
    return importAvatar(host.services, { projectId: p.projectId, file, name: p.name });
  },
  'bake.start': (p, host) => {
    const params = prepareBake(host.services, p);
    return host.jobs.enqueue('avatar.bake', params, params.projectId);
  },
  'bake.report': (p, host) => bakeReport(host.services, p.avatarId),
  'textures.load': (p, host) => textureServiceFor(host).load(p.avatarId),
  'textures.save': (p, host) => textureServiceFor(host).save(p),
  'textures.importMap': (p, host) => textureServiceFor(host).importMap(p),
  'textures.importSticker': (p, host) => textureServiceFor(host).importSticker(p),
  'textures.exportMap': (p, host) => textureServiceFor(host).exportMap(p),
  'textures.apply': (p, host) => {
    const params = prepareApplyTexture(host.services, p);
    return host.jobs.enqueue('texture.apply', params, params.projectId);
  },
  'exports.create': (p, host) => {
    const params = prepareExport(host.services, p);
    return host.jobs.enqueue('avatar.export', params, params.projectId);
  },
  'exports.repeat': (p, host) => {
    const params = prepareExport(host.services, repeatRequest(host.services, p.id));
    return host.jobs.enqueue('avatar.export', params, params.projectId);
  },
  'exports.list': (p, host) => listExports(host.services, p.projectId),
  'drive.start': (p, host) => {
    const { uploadId, ...request } = p;
    if (uploadId !== undefined) {
      const file = resolveUpload(host.services.library.dir, uploadId);
      if (!file) throw new StudioError('NOT_FOUND', 'The uploaded driving video is gone (uploads are kept for a day). Record or upload it again.');
      request.video = file;
    }
    const params = prepareDrive(host.services, request);
    return host.jobs.enqueue('avatar.drive', params, params.projectId);
  },
  'tracking.summary': (p, host) => host.services.tracking.summary(p.captureId),
  'tracking.frames': (p, host) => host.services.tracking.frames(p.captureId, p),
  'tracking.overlay': (p, host) => host.services.tracking.overlay(p.captureId, p.cameraId, p.idx, p.triangles),
  'tracking.excludeBadlyTracked': (p, host) => host.services.tracking.excludeBadlyTracked(p.captureId, p.maxFitErrorPx),

  'live.track': (p, host) => liveTrackingFor(host).track(p),
  'live.upload': (p, host) => receiveRecordingChunk(host.services.library.dir, p),
  'live.close': async (p, host) => {
    await liveTrackingFor(host).close(p.session);
    return { closed: true };
  },
  'live.model': (p) => liveModel(p.name),

  'jobs.list': (p, host) => host.services.jobs.list({ projectId: p.projectId, includeFinished: p.includeFinished }).map(toPublicJob),
  'jobs.get': (p, host) => toPublicJob(host.services.jobs.get(p.id)),
  'jobs.cancel': (p, host) => host.jobs.cancel(p.id),
  'jobs.resume': (p, host) => host.jobs.resume(p.id),
  'jobs.pause': (p, host) => host.jobs.pause(p.id),
  'jobs.dismiss': (p, host) => {
    host.jobs.dismiss(p.id);
    return { id: p.id };
  },
};

/** The texture service of the host's current library (a library switch gives new services). */
function textureServiceFor(host: StudioHost): TextureService {
  return new TextureService(host.services, (uploadId) => resolveUpload(host.services.library.dir, uploadId));
}
