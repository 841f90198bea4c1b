/**
 * `live.upload`: a Live page recording (the driver's MediaRecorder WebM) reaches the services host in base64 chunks
 * over the StudioApi, so it works through both front doors (web mode's `PUT /upload` has no Electron twin). Chunks
 * are staged in `<library>/uploads/<id>/.part-NNNNN` (each written atomically); the last call joins them into
 * `<library>/uploads/<id>/<name>` — the layout of web-mode uploads, so `resolveUpload` and `drive.start { uploadId }`
 * find it, and uploads are pruned after a day the same way. A MediaRecorder WebM has no duration in its header (it is
 * written live), which ffprobe then reports as zero length: the join remuxes it with ffmpeg (`-c copy`, no re-encode)
 * so the drive job's probe sees its length and frame rate.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { StudioError } from '@shared/api/errors';
import { findFfmpeg } from '../capture/ffmpeg-tools';
import { writeFileAtomic } from '../fs/atomic-write';
import { newId } from '../library/ids';
import { safeFileName, uploadsDir } from '../../web/upload';

/** Largest recording accepted (a few minutes of 640×480 WebM). */
export const MAX_RECORDING_BYTES = 512 * 1024 ** 2;

export interface RecordingChunk {
  /** Absent on the first chunk; the id the first call answered afterwards. */
  uploadId?: string;
  name: string;
  /** Chunk index, from 0 (chunks must arrive in order). */
  index: number;
  chunk: string;
  done: boolean;
}

export async function receiveRecordingChunk(libraryDir: string, c: RecordingChunk): Promise<{ uploadId: string; size: number; done: boolean }> {
  if ((c.uploadId === undefined) !== (c.index === 0)) throw new StudioError('BAD_REQUEST', 'The first chunk of a recording has index 0 and no uploadId; later chunks carry the uploadId the first one answered.');
  const uploadId = c.uploadId ?? newId();
  const dir = path.join(uploadsDir(libraryDir), uploadId);
  if (c.uploadId !== undefined && !fs.existsSync(dir)) throw new StudioError('NOT_FOUND', 'This recording upload is gone (uploads are kept for a day). Record again.');
  const parts = () => fs.readdirSync(dir).filter((f) => f.startsWith('.part-')).sort();
  fs.mkdirSync(dir, { recursive: true });
  if (parts().length !== c.index) throw new StudioError('BAD_REQUEST', `Recording chunk ${c.index} arrived out of order (${parts().length} received).`);
  const bytes = Buffer.from(c.chunk, 'base64');
  writeFileAtomic(path.join(dir, `.part-${String(c.index).padStart(5, '0')}`), bytes);
  const size = parts().reduce((s, f) => s + fs.statSync(path.join(dir, f)).size, 0);
  if (size > MAX_RECORDING_BYTES) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw new StudioError('BAD_REQUEST', `The recording is larger than ${MAX_RECORDING_BYTES / 1024 ** 2} MB; record a shorter take.`);
  }
  if (!c.done) return { uploadId, size, done: false };
  let all: Buffer = Buffer.concat(parts().map((f) => fs.readFileSync(path.join(dir, f))));
  const name = safeFileName(c.name);
  if (/\.webm$/i.test(name)) all = await remuxWebm(dir, all);
  writeFileAtomic(path.join(dir, name), all);
  for (const f of parts()) fs.rmSync(path.join(dir, f), { force: true });
  return { uploadId, size: all.length, done: true };
}

/** The same WebM with its duration and cues written (ffmpeg stream copy); the input as is when ffmpeg cannot. */
async function remuxWebm(dir: string, bytes: Buffer): Promise<Buffer> {
  const input = path.join(dir, '.remux-in.webm'), output = path.join(dir, '.remux-out.webm');
  try {
    writeFileAtomic(input, bytes);
    const { ffmpeg } = findFfmpeg();
    await new Promise<void>((resolve, reject) =>
      execFile(ffmpeg, ['-v', 'error', '-y', '-i', input, '-map', '0:v:0', '-c', 'copy', '-f', 'webm', output], { timeout: 120_000 }, (err) => (err ? reject(err) : resolve())),
    );
    return fs.readFileSync(output);
  } catch {
    return bytes;
  } finally {
    fs.rmSync(input, { force: true });
    fs.rmSync(output, { force: true });
  }
}
