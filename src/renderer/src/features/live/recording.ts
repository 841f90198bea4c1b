/**
 * Record on the Live page: the driver's video (MediaRecorder WebM of the camera stream, or the chosen video file as
 * is) goes to the services host in chunks (`live.upload`), then `drive.start { uploadId }` renders the driven avatar
 * to MP4 with the page's settings (the `avatar.drive` job, the same reenactment core). The recording starts right
 * after a "hold a neutral face" countdown, so its first frames are the driver's neutral (`neutralFrame: 0`).
 */
import type { Job } from '@shared/model/job';
import { studio } from '../../store/studio';

/** Raw bytes per `live.upload` call: base64 makes 700 kB of it, well under the 1 MiB message limit. */
export const CHUNK_BYTES = 512 * 1024;

export function recorderMimeType(): string | null {
  const MR = (globalThis as { MediaRecorder?: typeof MediaRecorder }).MediaRecorder;
  if (!MR) return null;
  return ['video/webm;codecs=vp8', 'video/webm;codecs=vp9', 'video/webm'].find((t) => MR.isTypeSupported(t)) ?? null;
}

/** Records a stream's video until `stop()`; resolves the recording. */
export class DriverRecorder {
  private readonly chunks: Blob[] = [];
  private readonly recorder: MediaRecorder;
  private readonly finished: Promise<Blob>;
  readonly startedAt = performance.now();

  constructor(stream: MediaStream) {
    const mimeType = recorderMimeType();
    if (!mimeType) throw new Error('This browser cannot record video (no MediaRecorder with WebM).');
    this.recorder = new MediaRecorder(new MediaStream(stream.getVideoTracks()), { mimeType, videoBitsPerSecond: 2_500_000 });
    this.finished = new Promise((resolve, reject) => {
      this.recorder.ondataavailable = (e) => e.data.size && this.chunks.push(e.data);
      this.recorder.onstop = () => resolve(new Blob(this.chunks, { type: mimeType }));
      this.recorder.onerror = () => reject(new Error('The recording stopped with an error (the camera went away?).'));
    });
    this.recorder.start(1000);
  }

  stop(): Promise<Blob> {
    if (this.recorder.state !== 'inactive') this.recorder.stop();
    return this.finished;
  }
}

function base64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** Sends a recording (or a chosen file) to the host; answers its upload id. */
export async function uploadRecording(blob: Blob, name: string, onProgress: (fraction: number) => void): Promise<string> {
  const { client } = studio();
  let uploadId: string | undefined;
  const count = Math.max(1, Math.ceil(blob.size / CHUNK_BYTES));
  for (let index = 0; index < count; index++) {
    const bytes = new Uint8Array(await blob.slice(index * CHUNK_BYTES, (index + 1) * CHUNK_BYTES).arrayBuffer());
    const r = await client.call('live.upload', { uploadId, name, index, chunk: base64(bytes), done: index === count - 1 });
    uploadId = r.uploadId;
    onProgress((index + 1) / count);
  }
  return uploadId!;
}

export interface RenderSettings {
  intensity: number;
  smoothing: number;
  followPose: boolean;
  mirror: boolean;
  sideBySide: boolean;
  size: number;
  calibrationFrames: number;
}

/** Starts the `avatar.drive` job on an uploaded driver video. */
export function startDrive(avatarId: string, uploadId: string, s: RenderSettings): Promise<Job> {
  return studio().client.call('drive.start', {
    avatarId,
    uploadId,
    size: s.size,
    sideBySide: s.sideBySide,
    intensity: s.intensity,
    smoothing: s.smoothing,
    followPose: s.followPose,
    mirror: s.mirror,
    neutralFrame: 0,
    calibrationFrames: s.calibrationFrames,
  });
}
