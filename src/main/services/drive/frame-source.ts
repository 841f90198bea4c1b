/**
 * Driver frames, one at a time: a video file decoded by ffmpeg to raw RGB on a pipe (constant frame rate, scaled so
 * the long side is at most `maxSide`), or a capture's stored frame images. `close()` kills the decoder.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { StudioError } from '@shared/api/errors';
import { findFfmpeg } from '../capture/ffmpeg-tools';
import { probeMedia } from '../capture/probe';
import { readImage } from '../tracking/image';
import type { RgbImage } from '../tracking/types';

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

export async function openVideoSource(file: string, o: VideoSourceOptions = {}): Promise<FrameSource> {
  const info = await probeMedia(file);
  if (info.kind !== 'video') throw new StudioError('BAD_REQUEST', 'The driving footage must be a video (MP4, MOV, MKV, WebM), not a still image.');
  const maxSide = o.maxSide ?? 720;
  const scale = Math.min(1, maxSide / Math.max(info.width, info.height));
  const width = even(info.width * scale), height = even(info.height * scale);
  const fps = info.fps ?? 30;
  const count = Math.min(info.frameCount, o.maxFrames ?? Infinity);
  let child: ChildProcessWithoutNullStreams | null = null;
  let closed = false;
  return {
    fps,
    count,
    async *frames() {
      const { ffmpeg } = findFfmpeg();
      const args = ['-hide_banner', '-loglevel', 'error', '-nostdin', '-i', file, '-an', '-vf', `scale=${width}:${height}:flags=area`, '-r', String(fps)];
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
            yield { index, time: index / fps, image: { width, height, data, channels: 3 } };
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
