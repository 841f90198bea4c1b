/**
 * Run by video-export.test.ts inside `unshare -rm` (a private mount namespace where this process is root): the MP4
 * and PNG-sequence writers into a read-only tmpfs and into a nearly full one. Prints one JSON line: each error and
 * what the folder holds afterwards.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { findFfmpeg } from '../capture/ffmpeg-tools';
import { attemptWrite, mountRefusingFolders } from './refusal-mounts';
import { Mp4Writer, PngSequenceWriter, type FrameWriter } from './video-writers';

const { ro, full, unmount } = mountRefusingFolders(process.argv[2]!, 200 * 1024);
const W = 128, H = 128;
const attempt = (dir: string, make: (target: string) => FrameWriter, name: string) => {
  let w: FrameWriter | null = null;
  return attemptWrite(
    dir,
    async () => {
      w = make(path.join(dir, name));
      // Noise does not compress: 12 frames of 64 KiB raw overflow the 56 KiB left.
      for (let i = 0; i < 12; i++) await w.write(new Uint8Array(randomBytes(W * H * 4)));
      await w.finish();
    },
    async () => {
      (w as FrameWriter | null)?.abort();
      await new Promise((r) => setTimeout(r, 300));
    },
  );
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
unmount();
process.stdout.write(`${JSON.stringify(result)}
`);
