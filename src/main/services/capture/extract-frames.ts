import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { StudioError } from '@shared/api/errors';
import { findFfmpeg } from './ffmpeg-tools';
import { measureFrameQuality, type FrameQuality } from './frame-quality';

export type ExtractInput = { kind: 'video'; file: string } | { kind: 'images'; files: string[] };

export interface ExtractOptions {
  input: ExtractInput;
  /** Camera folder: frames/ and thumbs/ are written inside. */
  outDir: string;
  fps: number;
  width: number;
  height: number;
  /** First frame index to produce (resume); the input is sought to startIdx / fps. */
  startIdx: number;
  signal: AbortSignal;
  onFrame(idx: number, quality: FrameQuality): void;
}

export const THUMB_LONG_SIDE = 160;
export const ANALYSIS_WIDTH = 256;
export const frameFileName = (idx: number) => `${String(idx).padStart(6, '0')}.jpg`;

const even = (n: number) => Math.max(2, 2 * Math.round(n / 2));

/** Stored frame size: the display size scaled so the long side is at most `longSide`, never upscaled, even. */
export function fitSize(width: number, height: number, longSide: number): { width: number; height: number } {
  const s = Math.min(1, longSide / Math.max(width, height));
  return { width: even(width * s), height: even(height * s) };
}

/**
 * Decodes with ffmpeg once and writes, per output frame at `fps`: the frame as JPEG, a thumbnail as JPEG, and a
 * grey 256-wide copy streamed to us for the quality metrics. Rotation metadata is applied by ffmpeg (autorotate);
 * variable frame rate sources are resampled to a constant rate by the fps filter.
 */
export function extractFrames(o: ExtractOptions): Promise<{ frames: number; stderr: string }> {
  const { ffmpeg } = findFfmpeg();
  fs.mkdirSync(path.join(o.outDir, 'frames'), { recursive: true });
  fs.mkdirSync(path.join(o.outDir, 'thumbs'), { recursive: true });
  const thumb = fitSize(o.width, o.height, THUMB_LONG_SIDE);
  const gw = even(Math.min(ANALYSIS_WIDTH, o.width));
  const gh = even((o.height * gw) / o.width);

  const args = ['-hide_banner', '-nostdin', '-v', 'error', '-y'];
  if (o.input.kind === 'video') {
    if (o.startIdx > 0) args.push('-ss', (o.startIdx / o.fps).toFixed(6));
    args.push('-i', o.input.file);
  } else {
    // An image sequence is read by ffmpeg's image2 demuxer through numbered links to the files, which gives every
    // image exactly one frame with clean timestamps (the concat demuxer repeats timestamps for stills).
    const ext = path.extname(o.input.files[0]!).toLowerCase() === '.png' ? 'png' : 'jpg';
    const links = path.join(o.outDir, '.sequence');
    fs.rmSync(links, { recursive: true, force: true });
    fs.mkdirSync(links, { recursive: true });
    o.input.files.slice(o.startIdx).forEach((f, i) => linkOrCopy(path.resolve(f), path.join(links, `${String(i).padStart(6, '0')}.${ext}`)));
    args.push('-framerate', String(o.fps), '-start_number', '0', '-i', path.join(links, `%06d.${ext}`));
  }
  // Videos are resampled to a constant rate; an image sequence already has one frame per image.
  const rate = o.input.kind === 'video' ? `fps=${o.fps},` : '';
  const filter =
    `[0:v:0]${rate}scale=${o.width}:${o.height}:flags=area,setsar=1,split=3[full][t][g];` +
    `[t]scale=${thumb.width}:${thumb.height}:flags=area[thumb];[g]scale=${gw}:${gh}:flags=area,format=gray[gray]`;
  args.push('-an', '-sn', '-dn', '-filter_complex', filter);
  args.push('-map', '[full]', '-q:v', '3', '-start_number', String(o.startIdx), '-f', 'image2', path.join(o.outDir, 'frames', '%06d.jpg'));
  args.push('-map', '[thumb]', '-q:v', '6', '-start_number', String(o.startIdx), '-f', 'image2', path.join(o.outDir, 'thumbs', '%06d.jpg'));
  args.push('-map', '[gray]', '-f', 'rawvideo', 'pipe:1');

  return new Promise((resolve, reject) => {
    const child = spawn(ffmpeg, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const frameBytes = gw * gh;
    let pending: Buffer = Buffer.alloc(0);
    let idx = o.startIdx;
    let stderr = '';
    const onAbort = () => child.kill('SIGKILL');
    o.signal.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (chunk: Buffer) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      while (pending.length >= frameBytes) {
        const gray = new Uint8Array(pending.buffer, pending.byteOffset, frameBytes);
        o.onFrame(idx++, measureFrameQuality(gray, gw, gh));
        pending = pending.subarray(frameBytes);
      }
    });
    child.stderr.on('data', (d) => {
      if (stderr.length < 64_000) stderr += d;
    });
    child.on('error', (err) => reject(new StudioError('INTERNAL', `ffmpeg could not be started: ${err.message}`)));
    child.on('close', (code) => {
      o.signal.removeEventListener('abort', onAbort);
      fs.rmSync(path.join(o.outDir, '.sequence'), { recursive: true, force: true });
      if (o.signal.aborted) return reject(new StudioError('CANCELLED', 'Cancelled.'));
      if (code === 0) return resolve({ frames: idx - o.startIdx, stderr });
      if (/No space left on device/i.test(stderr)) return reject(new StudioError('DISK_FULL', 'The disk filled up while extracting frames. Free some space, then resume the import.'));
      if (/No such file or directory|does not exist/i.test(stderr))
        return reject(new StudioError('NOT_FOUND', 'A source file disappeared during the import. Put it back (or choose it again) and resume.'));
      const last = stderr.trim().split('\n').at(-1) ?? `exit code ${code}`;
      reject(new StudioError('BAD_REQUEST', `The footage could not be decoded: ${last}`));
    });
  });
}

/** A symlink where the OS allows one (Windows needs privileges), else a hard link, else a copy. */
function linkOrCopy(target: string, link: string): void {
  try {
    fs.symlinkSync(target, link);
  } catch {
    try {
      fs.linkSync(target, link);
    } catch {
      fs.copyFileSync(target, link);
    }
  }
}
