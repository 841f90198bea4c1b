import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { imageSize } from 'image-size';
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

/** The refusal for footage over MAX_SOURCE_SIDE: the limit, the file's size, and what to do. */
export function tooLargeError(name: string, width: number, height: number): StudioError {
  return new StudioError(
    'BAD_REQUEST',
    `“${name}” is ${width}×${height} pixels, over the studio's limit of ${MAX_SOURCE_SIDE} pixels on the long side (decoding it would take gigabytes of memory per frame). ` +
      `Scale it down (4096 pixels on the long side is plenty: frames are stored at 1024 by default) and import the smaller copy.`,
    { width, height, limit: MAX_SOURCE_SIDE },
  );
}

/** Throws tooLargeError when width × height is over the limit. */
export function assertWithinSizeLimit(name: string, width: number, height: number): void {
  if (Math.max(width, height) > MAX_SOURCE_SIDE) throw tooLargeError(name, width, height);
}

/** Bytes read from the start of a file to recognise it (a JPEG's size can follow an EXIF block of up to 64 KiB). */
const HEAD_BYTES = 256 * 1024;

function readHead(file: string): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(HEAD_BYTES);
    const n = fs.readSync(fd, buf, 0, HEAD_BYTES, 0);
    return buf.subarray(0, n);
  } finally {
    fs.closeSync(fd);
  }
}

/** Image formats whose header is recognised by a strong signature, so their size can be read before decoding. */
const HEADER_SIZED_TYPES = new Set(['png', 'jpg', 'webp', 'gif', 'tiff']);

/** The picture size an image's header declares, read without decoding it (null when not such an image). */
function headerImageSize(head: Buffer): { width: number; height: number } | null {
  try {
    const d = imageSize(head);
    if (!d.type || !HEADER_SIZED_TYPES.has(d.type) || !d.width || !d.height) return null;
    return { width: d.width, height: d.height };
  } catch {
    return null;
  }
}

/** Top-level boxes an MP4/MOV file starts with. */
const ISO_BOXES = new Set(['ftyp', 'moov', 'mdat', 'free', 'skip', 'wide', 'pnot', 'uuid', 'styp', 'sidx', 'moof']);

/** Whether the bytes start like a video container (so a failure to read it means damage, not another kind of file). */
function looksLikeContainer(head: Buffer): 'mp4' | 'other' | null {
  if (head.length >= 8 && ISO_BOXES.has(head.toString('latin1', 4, 8))) return 'mp4';
  if (head.length >= 4 && head.readUInt32BE(0) === 0x1a45dfa3) return 'other'; // Matroska / WebM (EBML)
  if (head.length >= 12 && head.toString('latin1', 0, 4) === 'RIFF') return 'other'; // AVI
  if (head.length >= 189 && head[0] === 0x47 && head[188] === 0x47) return 'other'; // MPEG transport stream
  return null;
}

/** Plain words for what a file that is not media holds, from its first bytes. */
function describeContent(head: Buffer): string {
  const ascii = head.toString('latin1', 0, 8);
  if (ascii.startsWith('%PDF')) return 'it is a PDF document';
  if (ascii.startsWith('PK\x03\x04')) return 'it is a ZIP archive (or a document stored as one)';
  if (looksLikeText(head)) return 'it is text';
  return 'its content is not a media file';
}

function looksLikeText(head: Buffer): boolean {
  if (head.length === 0 || head.includes(0)) return false;
  // A multi-byte character may be cut at the end of the sample.
  const sample = head.subarray(0, Math.max(1, head.length - 4));
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(sample);
  } catch {
    return false;
  }
  let control = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c < 32 && c !== 9 && c !== 10 && c !== 13 && c !== 12) control++;
  }
  return control / text.length < 0.01;
}

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
  const head = readHead(file);
  // An image's header gives its size: refuse one over the limit before anything decodes it (ffmpeg would only
  // report an invalid size, and decoding would need gigabytes).
  const declared = headerImageSize(head);
  if (declared) assertWithinSizeLimit(name, declared.width, declared.height);
  const r = await runProbe(file);
  // ffmpeg refuses pictures too large to allocate ("Picture size WxH is invalid") in formats read above too.
  const invalidSize = /Picture size (\d+)x(\d+) is invalid/.exec(r.stderr);
  if (invalidSize) assertWithinSizeLimit(name, Number(invalidSize[1]), Number(invalidSize[2]));
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
    const use = 'Use MP4, MOV, MKV or WebM video, or PNG/JPEG images.';
    if (!notMedia) throw new StudioError('BAD_REQUEST', `“${name}” could not be read: ${detail}`);
    // ffmpeg falls back on the file's extension, so any file named .mp4 is “missing its moov atom”: only a file that
    // starts like a video container is a truncated one.
    const container = looksLikeContainer(head);
    if (container && /moov atom not found|End of file/i.test(r.stderr))
      throw new StudioError('BAD_REQUEST', `“${name}” is not a video or image the studio can read (the file looks truncated — was the recording or copy interrupted?). Copy it again from the camera or the original, or export it again, then import that copy.`);
    if (container) throw new StudioError('BAD_REQUEST', `“${name}” is not a video or image the studio can read (it may be damaged). ${use}`);
    throw new StudioError('BAD_REQUEST', `“${name}” is not a video or image the studio can read: ${describeContent(head)}, not video or image data${path.extname(name) ? ` (only its name ends in ${path.extname(name)})` : ''}. ${use}`);
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
  assertWithinSizeLimit(name, rawW, rawH);
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
