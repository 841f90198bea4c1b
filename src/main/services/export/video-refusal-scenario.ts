/**
 * Run by video-export.test.ts inside `unshare -rm` (a private mount namespace where this process is root): the MP4
 * and PNG-sequence writers into a read-only tmpfs and into a nearly full one. Prints one JSON line: each error and
 * what the folder holds afterwards.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { StudioError } from '@shared/api/errors';
import { findFfmpeg } from '../capture/ffmpeg-tools';
import { Mp4Writer, PngSequenceWriter, type FrameWriter } from './video-writers';

const base = process.argv[2]!;
const ro = path.join(base, 'ro'), full = path.join(base, 'full');
fs.mkdirSync(ro, { recursive: true });
fs.mkdirSync(full, { recursive: true });
execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'tmpfs', ro]);
execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', full]);
fs.writeFileSync(path.join(full, 'filler.bin'), new Uint8Array(200 * 1024));
const W = 128, H = 128;
const attempt = async (dir: string, make: (target: string) => FrameWriter, name: string) => {
  let w: FrameWriter | null = null;
  try {
    w = make(path.join(dir, name));
    // Noise does not compress: 12 frames of 64 KiB raw overflow the 56 KiB left.
    for (let i = 0; i < 12; i++) await w.write(new Uint8Array(randomBytes(W * H * 4)));
    await w.finish();
    return { code: 'none', message: 'written', left: fs.readdirSync(dir).sort() };
  } catch (err) {
    w?.abort();
    await new Promise((r) => setTimeout(r, 300));
    return { code: err instanceof StudioError ? err.code : String(err), message: (err as Error).message, left: fs.readdirSync(dir).sort() };
  }
};
const ffmpeg = findFfmpeg().ffmpeg;
const mp4 = (t: string) => new Mp4Writer(ffmpeg, t, { width: W, height: H, fps: 10, crf: 0 });
const png = (t: string) => new PngSequenceWriter(t, { width: W, height: H, fps: 10, manifest: {} });
const result = {
  mp4ReadOnly: await attempt(ro, mp4, 'v.mp4'),
  mp4Full: await attempt(full, mp4, 'v.mp4'),
  pngReadOnly: await attempt(ro, png, 'seq'),
  pngFull: await attempt(full, png, 'seq'),
};
execFileSync('umount', [ro]);
execFileSync('umount', [full]);
process.stdout.write(`${JSON.stringify(result)}\n`);
