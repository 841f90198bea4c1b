import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { StudioError } from '@shared/api/errors';
import { findFfmpeg } from './ffmpeg-tools';

export interface MediaInfo {
  kind: 'video' | 'image';
  codec: string;
  /** Display size: after the rotation metadata is applied. */
  width: number;
  height: number;
  rotation: number;
  /** Average frame rate (null for still images). */
  fps: number | null;
  variableFrameRate: boolean;
  durationS: number;
  /** Frames in the stream when the container says, else an estimate from duration × fps. */
  frameCount: number;
  startTimeS: number;
}

const IMAGE_CODECS = new Set(['png', 'mjpeg', 'jpeg2000', 'webp', 'bmp', 'tiff', 'gif', 'jpegls']);
/** Footage larger than this on its long side is refused (decoding it would need gigabytes per frame). */
export const MAX_SOURCE_SIDE = 16384;

function parseRate(r: string | undefined): number | null {
  if (!r) return null;
  const [n, d] = r.split('/').map(Number);
  if (!n || !d || !Number.isFinite(n / d)) return null;
  return n / d;
}

function runProbe(file: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const { ffprobe } = findFfmpeg();
  return new Promise((resolve, reject) => {
    const child = spawn(ffprobe, ['-v', 'error', '-print_format', 'json', '-show_streams', '-show_format', '-select_streams', 'v', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Reads what a footage file is, or explains clearly why it cannot be used. */
export async function probeMedia(file: string): Promise<MediaInfo> {
  const name = path.basename(file);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new StudioError('NOT_FOUND', `“${name}” is no longer there. It may have been moved or deleted; choose it again.`);
  }
  if (!stat.isFile()) throw new StudioError('BAD_REQUEST', `“${name}” is not a file.`);
  if (stat.size === 0) throw new StudioError('BAD_REQUEST', `“${name}” is empty (0 bytes). Choose the original footage file.`);
  const r = await runProbe(file);
  let json: { streams?: Record<string, any>[]; format?: Record<string, any> } = {};
  try {
    json = JSON.parse(r.stdout || '{}');
  } catch {
    json = {};
  }
  const stream = json.streams?.[0];
  if (r.code !== 0 || !stream) {
    const detail = r.stderr.trim().split('\n').at(-1) ?? '';
    const notMedia = /Invalid data found|could not find codec|moov atom not found|End of file|unknown format/i.test(r.stderr) || !stream;
    throw new StudioError(
      'BAD_REQUEST',
      notMedia
        ? `“${name}” is not a video or image the studio can read${/moov atom/.test(r.stderr) ? ' (the file looks truncated — was the recording or copy interrupted?)' : ''}. Use MP4, MOV, MKV or WebM video, or PNG/JPEG images.`
        : `“${name}” could not be read: ${detail}`,
    );
  }
  const codec = String(stream.codec_name ?? 'unknown');
  const isImage = IMAGE_CODECS.has(codec) && (json.format?.format_name?.includes('image2') || json.format?.format_name?.includes('_pipe') || !parseFloat(json.format?.duration ?? '0'));
  let rotation = 0;
  for (const sd of stream.side_data_list ?? []) if (typeof sd.rotation === 'number') rotation = sd.rotation;
  if (stream.tags?.rotate) rotation = Number(stream.tags.rotate);
  rotation = ((Math.round(rotation / 90) * 90) % 360 + 360) % 360;
  const rawW = Number(stream.width);
  const rawH = Number(stream.height);
  if (!rawW || !rawH) throw new StudioError('BAD_REQUEST', `“${name}” has no picture size; it may be damaged.`);
  if (Math.max(rawW, rawH) > MAX_SOURCE_SIDE) throw new StudioError('BAD_REQUEST', `“${name}” is ${rawW}×${rawH}; footage up to ${MAX_SOURCE_SIDE} pixels on its long side is supported. Downscale it first.`);
  const [width, height] = rotation === 90 || rotation === 270 ? [rawH, rawW] : [rawW, rawH];
  if (isImage) return { kind: 'image', codec, width, height, rotation, fps: null, variableFrameRate: false, durationS: 0, frameCount: 1, startTimeS: 0 };

  const avg = parseRate(stream.avg_frame_rate);
  const real = parseRate(stream.r_frame_rate);
  const fps = avg ?? real;
  const durationS = Number(stream.duration ?? json.format?.duration ?? 0);
  if (!fps || !(durationS > 0)) throw new StudioError('BAD_REQUEST', `“${name}” has no playable video (zero length or no frame rate). Choose another file.`);
  const nb = Number(stream.nb_frames);
  return {
    kind: 'video',
    codec,
    width,
    height,
    rotation,
    fps,
    variableFrameRate: !!(avg && real && Math.abs(avg - real) / real > 0.01),
    durationS,
    frameCount: Number.isFinite(nb) && nb > 0 ? nb : Math.max(1, Math.round(durationS * fps)),
    startTimeS: Number(stream.start_time ?? 0) || 0,
  };
}
