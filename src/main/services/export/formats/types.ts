import type { ExportFormat } from '@shared/model/export-formats';
import type { WorkerContext } from '../../../jobs/worker-context';
import type { ExportOutput, ExportParams } from '../export-types';

/** The worker side of one export format: writes `params.target` and says what it wrote. */
export interface ExportWriter<F extends ExportFormat = ExportFormat> {
  format: F;
  run(ctx: WorkerContext, params: ExportParams): Promise<ExportOutput>;
}
