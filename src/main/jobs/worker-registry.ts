import type { JobKind } from '@shared/model/job';
import { importCaptureWorker } from '../services/capture/import-capture.worker';
import { trackCaptureWorker } from '../services/tracking/track-capture.worker';
import { trainAvatarWorker } from '../services/training/train-avatar.worker';
import { exportAvatarWorker } from '../services/export/export-avatar.worker';
import { bakeAvatarWorker } from '../services/bake/bake-avatar.worker';
import { applyTextureWorker } from '../services/texture/apply-texture.worker';
import { driveAvatarWorker } from '../services/drive/drive-avatar.worker';
import { duplicateProjectWorker } from '../services/projects/duplicate-project.worker';
import { emptyTrashWorker } from '../services/projects/empty-trash.worker';
import type { WorkerJob } from './worker-context';

/** The worker half of every job kind. Each lives beside its capability in src/main/services/<capability>/. */
export const workerJobs: Record<JobKind, WorkerJob<any, any, any>> = {
  'project.duplicate': duplicateProjectWorker,
  'trash.empty': emptyTrashWorker,
  'capture.import': importCaptureWorker,
  'capture.track': trackCaptureWorker,
  'avatar.train': trainAvatarWorker,
  'avatar.export': exportAvatarWorker,
  'avatar.bake': bakeAvatarWorker,
  'texture.apply': applyTextureWorker,
  'avatar.drive': driveAvatarWorker,
};
