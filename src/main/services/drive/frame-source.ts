/**
 * Driver frames, one at a time: a video file decoded by ffmpeg to raw RGB on a pipe (each frame the file holds, once,
 * at its own time; scaled so the long side is at most `maxSide`), or a capture's stored frame images. `close()` kills
 * the decoder.
 */
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { StudioError } from '@shared/api/errors';
import { findFfmpeg } from '../capture/ffmpeg-tools';
import { probeMedia } from '../capture/probe';
import { readImage } from '../tracking/image';
import type { RgbImage } from '@tracking/types';

export interface SourceFrame {
  index: number;
  /** Seconds from the start. */
  time: number;
  image: RgbImage;
}

export interface FrameSource {
  readonly fps: number;
  /** Frames expected (the container's count, or the number of images), capped by `maxFrames`. */
  readonly count: number;
  frames(): AsyncGenerator<SourceFrame>;
  close(): void;
}

export interface VideoSourceOptions {
  /** Long side of the decoded frames (the tracker needs no more). Default 720. */
  maxSide?: number;
  maxFrames?: number | null;
}

const even = (x: number) => Math.max(2, 2 * Math.round(x / 2));

/**
 * The presentation times of the video stream's packets, ascending (no decoding: fast even for long files); empty when
 * the container gives none. A browser's MediaRecorder writes WebM without a frame rate — ffprobe reports a nominal
 * rate (often 30 or 1000) where the camera delivered 10 or 24 frames a second, and resampling to it invents frames.
 */
export function packetTimes(file: string): Promise<number[]> {
  return new Promise((resolve) => {
    execFile(findFfmpeg().ffprobe, ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', file], { maxBuffer: 64 << 20 }, (err, stdout) => {
      if (err) return resolve([]);
      resolve(stdout.split('\n').map((l) => Number.parseFloat(l)).filter(Number.isFinite).sort((a, b) => a - b));
    });
  });
}

export async function openVideoSource(file: string, o: VideoSourceOptions = {}): Promise<FrameSource> {
  const info = await probeMedia(file);
  if (info.kind !== 'video') throw new StudioError('BAD_REQUEST', 'The driving footage must be a video (MP4, MOV, MKV, WebM), not a still image.');
  const maxSide = o.maxSide ?? 720;
  const scale = Math.min(1, maxSide / Math.max(info.width, info.height));
  const width = even(info.width * scale), height = even(info.height * scale);
  // Frames at their own times when the file says what they are; else resampled to the stream's nominal rate.
  const times = await packetTimes(file);
  const timed = times.length >= 2 && times.at(-1)! > times[0]!;
  const fps = timed ? (times.length - 1) / (times.at(-1)! - times[0]!) : (info.fps ?? 30);
  const count = Math.min(timed ? times.length : info.frameCount, o.maxFrames ?? Infinity);
  let child: ChildProcessWithoutNullStreams | null = null;
  let closed = false;
  return {
    fps,
    count,
    async *frames() {
      const { ffmpeg } = findFfmpeg();
      const args = ['-hide_banner', '-loglevel', 'error', '-nostdin', '-i', file, '-an', '-vf', `scale=${width}:${height}:flags=area`, ...(timed ? ['-vsync', 'passthrough'] : ['-r', String(fps)])];
      if (o.maxFrames) args.push('-frames:v', String(o.maxFrames));
      args.push('-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1');
      const proc = (child = spawn(ffmpeg, args, { stdio: ['pipe', 'pipe', 'pipe'] }));
      let stderr = '';
      proc.stderr.setEncoding('utf8');
      proc.stderr.on('data', (d: string) => (stderr = (stderr + d).slice(-2000)));
      const exited = new Promise<number | null>((resolve) => proc.on('close', (code) => resolve(code)));
      const frameBytes = width * height * 3;
      let buf: Buffer = Buffer.alloc(0);
      let index = 0;
      try {
        for await (const chunk of proc.stdout as AsyncIterable<Buffer>) {
          buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
          while (buf.length >= frameBytes) {
            const data = new Uint8Array(frameBytes);
            data.set(buf.subarray(0, frameBytes));
            buf = buf.subarray(frameBytes);
            const time = timed && index < times.length ? times[index]! - times[0]! : index / fps;
            yield { index, time, image: { width, height, data, channels: 3 } };
            index++;
          }
        }
        const code = await exited;
        if (code !== 0 && !closed) throw new StudioError('BAD_REQUEST', `The driving video could not be decoded: ${stderr.trim().split('\n').at(-1) ?? `ffmpeg exited with ${code}`}`);
        if (index === 0) throw new StudioError('BAD_REQUEST', 'The driving video has no frames.');
      } finally {
        if (proc.exitCode === null) proc.kill('SIGKILL');
      }
    },
    close() {
      closed = true;
      if (child && child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

/** A capture's frames (absolute image paths with their times), read one by one. */
export function imageFrameSource(frames: { file: string; time: number }[], fps: number, maxFrames: number | null = null): FrameSource {
  const list = maxFrames ? frames.slice(0, maxFrames) : frames;
  return {
    fps,
    count: list.length,
    async *frames() {
      for (let i = 0; i < list.length; i++) {
        let image: RgbImage;
        try {
          image = readImage(list[i]!.file);
        } catch (err) {
          throw new StudioError('NOT_FOUND', `Frame ${i} of the driving capture cannot be read (${(err as Error).message}); import the capture again.`);
        }
        yield { index: i, time: list[i]!.time, image };
      }
    },
    close() {},
  };
}
