import type { WorkerJob } from '../../jobs/worker-context';
import type { ExportOutput, ExportParams } from './export-types';
import { EXPORT_WRITERS } from './formats';

/** The `avatar.export` worker: the format's writer (formats/<id>.ts, registered in formats/index.ts) does the work. */
export const exportAvatarWorker: WorkerJob<ExportParams, null, ExportOutput> = {
  run: (ctx, params) => EXPORT_WRITERS[params.format].run(ctx, params),
};
