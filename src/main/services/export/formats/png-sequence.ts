import { runVideoExport } from '../video-export';
import type { ExportWriter } from './types';

/** `png-sequence`: the sequence rendered as straight-alpha RGBA PNGs + sequence.json, into a folder (video-export.ts). */
export const pngSequenceWriter: ExportWriter<'png-sequence'> = { format: 'png-sequence', run: runVideoExport };
