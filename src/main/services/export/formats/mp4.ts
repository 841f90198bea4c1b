import { runVideoExport } from '../video-export';
import type { ExportWriter } from './types';

/** `mp4`: the sequence rendered on the job's GPU and encoded by ffmpeg (H.264), video-export.ts. */
export const mp4Writer: ExportWriter<'mp4'> = { format: 'mp4', run: runVideoExport };
